using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.BadInput;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// The Operator cases of the bad-input catalog (<see cref="BadInputCatalog"/>): the operator synced a DirectorySync
/// with `prune: true` into an organization that also has members and groups added by hand; then its API-key Secret goes
/// bad. The Ready condition names the Secret (or key) and the fix, Stalled is True, a Warning event says the same, and
/// every member and group is still there exactly as before.
/// </summary>
public sealed class BadInputOperatorTests(ITestOutputHelper output)
{
    private const string WrongSecret = "wrong-client-secret-SENTINEL-7e21";

    public static TheoryData<string> CaseNames() => [.. BadInputCatalog.Of(BadInputLayer.Operator).Select(c => c.Input)];

    private static readonly Dictionary<string, Func<OperatorEnvironment, Task>> Mutations = new(StringComparer.Ordinal)
    {
        // A Secret of the same name in another namespace must not stand in for it.
        ["Secret missing in the namespace"] = async env =>
        {
            await env.Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
            {
                Metadata = new V1ObjectMeta { Name = ApiKeySecret, NamespaceProperty = "operators" },
                StringData = new Dictionary<string, string> { ["client_id"] = env.Bitwarden.ClientId, ["client_secret"] = env.Bitwarden.ClientSecret },
            }, "operators");
            await env.Client.CoreV1.DeleteNamespacedSecretAsync(ApiKeySecret, Namespace);
        },
        ["Secret key missing in the namespace"] = async env =>
        {
            var secret = await env.Client.CoreV1.ReadNamespacedSecretAsync(ApiKeySecret, Namespace);
            secret.Data.Remove("client_secret");
            await env.Client.CoreV1.ReplaceNamespacedSecretAsync(secret, ApiKeySecret, Namespace);
        },
        ["wrong API key in the Secret"] = env => env.PutApiKeySecretAsync(clientSecret: WrongSecret),
    };

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EachCaseStallsNamingTheSecretAndTheOrganizationKeepsEveryMemberAndGroup(string input)
    {
        var @case = BadInputCatalog.Get(BadInputLayer.Operator, input);
        Mutations.Should().ContainKey(input, "every Operator case of the catalog has its setup here");
        await using var env = await StartAsync(output);
        var admin = env.Bitwarden.Organization.AddMember("admin@corp.example", type: StandInMemberType.Admin);
        env.Bitwarden.Organization.AddGroup("Added by hand", null, admin);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 4, groups: 2) });
        await env.StartOperatorAsync();
        var spec = env.Spec();
        spec.Sync.Prune = true;
        await env.CreateDirectorySyncAsync("corp", spec);
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "the first sync");
        var before = env.Bitwarden.Organization.Snapshot();
        before.Should().HaveCount(1 + 1 + 4 + 3, "the owner, the admin, 4 synced members, the hand-made group and 2 synced groups");

        await Mutations[input](env);
        // The Secret's change alone triggers a sync; asking for one as well keeps the test independent of that.
        await env.PatchAsync("corp", new { metadata = new { annotations = new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = "2026-12-01T00:00:00Z" } } });
        var stalled = await env.WaitForAsync("corp", s => Ready(s)?.Reason == @case.Reason, $"Ready=False/{@case.Reason}");

        var ready = Ready(stalled)!;
        ready.Status.Should().Be("False");
        @case.IsIn(ready.Message).Should().BeTrue($"the Ready message has \"{@case.Message}\": {ready.Message}");
        stalled.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True");
        (await env.EventsForAsync("corp")).Should().Contain(e => e.Type == "Warning" && e.Message.StartsWith(@case.Reason + ":", StringComparison.Ordinal) && @case.IsIn(e.Message));
        KubernetesJson.Serialize(stalled).Should().NotContain("SENTINEL");
        env.Bitwarden.Organization.Snapshot().Should().Equal(before, "no member or group is lost, nor changed, because of bad input");
    }
}
