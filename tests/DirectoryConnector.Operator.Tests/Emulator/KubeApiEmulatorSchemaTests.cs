using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>The committed CRD's schema, enforced as the API server enforces it: 422 with field paths.</summary>
public sealed class KubeApiEmulatorSchemaTests
{
    public static TheoryData<string, string, string> Rejections => new()
    {
        // name, JSON merge-patch applied to a valid sample, expected field and message fragment
        { "two sources", """{"spec":{"source":{"file":{"path":"users.ldif"}}}}""", "spec.source|set exactly one source: ldap or file" },
        { "interval below 1m", """{"spec":{"interval":"30s"}}""", "spec.interval|Invalid value: \"string\": interval must be at least 1m" },
        { "interval not a duration", """{"spec":{"interval":"fortnightly"}}""", "spec.interval|should match" },
        { "bad enum", """{"spec":{"source":{"ldap":{"encryption":"tls"}}}}""", "spec.source.ldap.encryption|Unsupported value: \"tls\": supported values: \"none\", \"startTls\", \"ldaps\"" },
        { "bad URL", """{"spec":{"bitwarden":{"serverUrl":"vault.example.com"}}}""", "spec.bitwarden.serverUrl|should match" },
        { "missing secret name", """{"spec":{"bitwarden":{"apiKeySecretRef":{"name":null}}}}""", "spec.bitwarden.apiKeySecretRef.name|Required value" },
        { "port out of range", """{"spec":{"source":{"ldap":{"port":70000}}}}""", "spec.source.ldap.port|less than or equal to 65535" },
        { "wrong type", """{"spec":{"suspend":"yes"}}""", "spec.suspend|must be of type boolean" },
        { "no source", """{"spec":{"source":{"ldap":null}}}""", "spec.source|set exactly one source" },
        { "file path in a cluster", """{"spec":{"source":{"ldap":null,"file":{"path":"/var/run/secrets/kubernetes.io/serviceaccount/token","format":"ldif"}}}}""", "spec.source.file|path is for the directory-connector CLI only" },
        { "file path and configMapRef", """{"spec":{"source":{"ldap":null,"file":{"path":"a.ldif","configMapRef":{"name":"d","key":"a.ldif"}}}}}""", "spec.source.file|set exactly one of path (CLI) or configMapRef (operator)" },
    };

    [Theory]
    [MemberData(nameof(Rejections))]
    public async Task InvalidSpecsAreRejectedWith422NamingTheField(string name, string mergePatch, string expectation)
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var (field, fragment) = (expectation.Split('|')[0], expectation.Split('|')[1]);
        var body = (JsonObject)Patch(KubeTestCluster.SampleJson("corp-ad"), JsonNode.Parse(mergePatch));

        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.CreateRawAsync(body));

        code.Should().Be(HttpStatusCode.UnprocessableEntity, name);
        status.Reason.Should().Be("Invalid");
        status.Details.Causes.Should().Contain(c => c.Field == field && c.Message.Contains(fragment), name);
        status.Message.Should().StartWith("DirectorySync.directoryconnector.dev \"corp-ad\" is invalid: ").And.Contain($"{field}: ");
    }

    [Fact]
    public async Task UpdatesAreValidatedToo()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.PatchAsync("corp-ad", """{"spec":{"interval":"59s"}}""", V1Patch.PatchType.MergePatch));

        code.Should().Be(HttpStatusCode.UnprocessableEntity);
        status.Message.Should().Be("DirectorySync.directoryconnector.dev \"corp-ad\" is invalid: spec.interval: Invalid value: \"string\": interval must be at least 1m");
        (await cluster.GetAsync("corp-ad")).Spec.Interval.Should().Be("15m");
    }

    [Fact]
    public async Task UnknownFieldsArePrunedWithAWarningAndRejectedUnderStrictValidation()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var body = KubeTestCluster.SampleJson("corp-ad");
        body["spec"]!["sourceTypo"] = "ldap";

        var (code, status) = await KubeTestCluster.FailureOf(() => cluster.CreateRawAsync(body, fieldValidation: "Strict"));
        code.Should().Be(HttpStatusCode.BadRequest);
        status.Message.Should().Contain("strict decoding error: unknown field \"spec.sourceTypo\"");

        await cluster.CreateRawAsync(body);
        var stored = cluster.Emulator.Get("directoryconnector.dev/v1alpha1", "directorysyncs", KubeTestCluster.Namespace, "corp-ad")!;
        stored["spec"]!.AsObject().ContainsKey("sourceTypo").Should().BeFalse("a structural schema prunes unknown fields");
    }

    private static JsonNode Patch(JsonNode target, JsonNode? patch) =>
        DirectoryConnector.TestSupport.Kubernetes.Patches.MergePatch(target, patch)!;
}
