using System.Net;
using System.Text.Json.Nodes;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// x-kubernetes-validations rules are evaluated by a CEL implementation, not matched by shape: a CRD with rules the
/// DirectorySync CRD does not use (field comparisons, macros, string functions) is served and enforced, and a CRD whose
/// rule does not compile is refused, as the API server refuses it.
/// </summary>
public sealed class KubeApiEmulatorCelTests
{
    private const string CrdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    private static readonly string WidgetsPath = $"/apis/example.com/v1/namespaces/{KubeTestCluster.Namespace}/widgets";

    [Fact]
    public async Task AnyCelRuleOfACrdIsEvaluatedOnCreate()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        (await cluster.SendAsync(HttpMethod.Post, CrdPath, Crd("self.minReplicas <= self.maxReplicas", "self.tags.all(t, t.startsWith('team-')) && size(self.tags) <= 2"))).Code
            .Should().Be(HttpStatusCode.Created);

        (await cluster.SendAsync(HttpMethod.Post, WidgetsPath, Widget("ok", 1, 3, "team-a", "team-b"))).Code.Should().Be(HttpStatusCode.Created);

        var inverted = await cluster.SendAsync(HttpMethod.Post, WidgetsPath, Widget("inverted", 5, 3, "team-a"));
        inverted.Code.Should().Be((HttpStatusCode)422);
        Causes(inverted.Body).Should().Equal(("spec", "Invalid value: \"object\": rule 0 failed"));

        var badTags = await cluster.SendAsync(HttpMethod.Post, WidgetsPath, Widget("bad-tags", 1, 3, "team-a", "ops"));
        Causes(badTags.Body).Should().Equal(("spec", "Invalid value: \"object\": rule 1 failed"));
        var tooMany = await cluster.SendAsync(HttpMethod.Post, WidgetsPath, Widget("too-many", 1, 3, "team-a", "team-b", "team-c"));
        Causes(tooMany.Body).Should().Equal(("spec", "Invalid value: \"object\": rule 1 failed"));
    }

    [Fact]
    public async Task ACrdWhoseRuleDoesNotCompileIsRefused()
    {
        await using var cluster = await KubeTestCluster.StartAsync();

        var refused = await cluster.SendAsync(HttpMethod.Post, CrdPath, Crd("self.minReplicas <=", "true"));

        refused.Code.Should().Be((HttpStatusCode)422);
        refused.Body["reason"]!.GetValue<string>().Should().Be("Invalid");
        refused.Body["message"]!.GetValue<string>().Should().StartWith("CustomResourceDefinition.apiextensions.k8s.io \"widgets.example.com\" is invalid: ")
            .And.Contain("'self.minReplicas <='");
        (await cluster.SendAsync(HttpMethod.Post, WidgetsPath, Widget("orphan", 1, 3, "team-a"))).Code.Should().Be(HttpStatusCode.NotFound, "the CRD was not served");
    }

    private static JsonObject Crd(params string[] rules) => new()
    {
        ["apiVersion"] = "apiextensions.k8s.io/v1",
        ["kind"] = "CustomResourceDefinition",
        ["metadata"] = new JsonObject { ["name"] = "widgets.example.com" },
        ["spec"] = new JsonObject
        {
            ["group"] = "example.com",
            ["scope"] = "Namespaced",
            ["names"] = new JsonObject { ["plural"] = "widgets", ["singular"] = "widget", ["kind"] = "Widget" },
            ["versions"] = new JsonArray(new JsonObject
            {
                ["name"] = "v1",
                ["served"] = true,
                ["storage"] = true,
                ["schema"] = new JsonObject
                {
                    ["openAPIV3Schema"] = new JsonObject
                    {
                        ["type"] = "object",
                        ["properties"] = new JsonObject
                        {
                            ["spec"] = new JsonObject
                            {
                                ["type"] = "object",
                                ["required"] = new JsonArray("minReplicas", "maxReplicas", "tags"),
                                ["x-kubernetes-validations"] = new JsonArray([.. rules.Select((rule, i) => (JsonNode)new JsonObject { ["rule"] = rule, ["message"] = $"rule {i} failed" })]),
                                ["properties"] = new JsonObject
                                {
                                    ["minReplicas"] = new JsonObject { ["type"] = "integer" },
                                    ["maxReplicas"] = new JsonObject { ["type"] = "integer" },
                                    ["tags"] = new JsonObject { ["type"] = "array", ["items"] = new JsonObject { ["type"] = "string" } },
                                },
                            },
                        },
                    },
                },
            }),
        },
    };

    private static JsonObject Widget(string name, int min, int max, params string[] tags) => new()
    {
        ["apiVersion"] = "example.com/v1",
        ["kind"] = "Widget",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["minReplicas"] = min, ["maxReplicas"] = max, ["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]) },
    };

    private static List<(string Field, string Message)> Causes(JsonObject status) =>
        [.. status["details"]!["causes"]!.AsArray().Select(c => (c!["field"]!.GetValue<string>(), c["message"]!.GetValue<string>()))];
}
