using System.Text.Json;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Logging;
using FluentAssertions;
using k8s;
using k8s.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// The Kubernetes API failing under the operator (issue #15): dropped watches, 410 Gone at watch start and as an ERROR
/// event, 409 and 500 on status writes, throttling, events that cannot be written. Each test ends with the
/// organization equal to the directory's truth.
/// </summary>
public sealed class KubernetesApiFaultTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AChangeMadeWhileTheWatchesWereDroppedIsSynced()
    {
        await using var env = await SyncedAsync(users: 2);

        env.Kube.DropWatches().Should().BeGreaterThan(0);
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 4) });

        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.UserCount == 4, "the ConfigMap change synced after the watch reconnected");
        OrganizationShouldEqualDirectory(env, users: 4);
    }

    [Fact]
    public async Task A410GoneAnsweringTheWatchRequestMakesTheInformerRelist()
    {
        await using var env = await SyncedAsync(users: 2);
        var lists = ConfigMapLists(env);

        // The reconnecting watch itself is answered 410 (HTTP status, not an event): only a relist sees the change.
        var gone = env.Kube.Faults.FailMatching(r => r.Method == "GET" && r.Path.EndsWith("/configmaps", StringComparison.Ordinal) && r.Query.Contains("watch=true", StringComparison.Ordinal), 410);
        env.Kube.DropWatches();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3) });

        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.UserCount == 3, "the change synced after the relist");
        gone.Sent.Should().Be(1);
        ConfigMapLists(env).Should().BeGreaterThan(lists, "410 Gone means the resourceVersion is unusable: list again");
        OrganizationShouldEqualDirectory(env, users: 3);
    }

    [Fact]
    public async Task A410ExpiredErrorEventOnTheWatchMakesTheInformerRelist()
    {
        await using var env = await SyncedAsync(users: 2);
        var lists = ConfigMapLists(env);

        // The watch drops, the change lands and the history is compacted: the watch from the old resourceVersion
        // is answered 200 with an ERROR event carrying 410 Expired, as the watch cache does.
        env.Kube.DropWatches();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 5) });
        env.Kube.CompactHistory();

        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.UserCount == 5, "the change synced after the relist");
        ConfigMapLists(env).Should().BeGreaterThan(lists);
        OrganizationShouldEqualDirectory(env, users: 5);
    }

    [Theory]
    [InlineData(409)]
    [InlineData(500)]
    public async Task BitwardenAcceptedTheImportButTheStatusWriteFailedAndTheRetryPostsNothingAgain(int code)
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3) });
        // Only the write carrying the sync's result (its hashes) fails; the "sync started" write goes through.
        var failed = env.Kube.FailMatching(code);
        await env.StartOperatorAsync();

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        var synced = await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "the result written by the retry");

        failed.Sent.Should().Be(1);
        env.Bitwarden.ImportRequests.Should().ContainSingle("the retry writes the unsaved result instead of syncing and posting everything again");
        synced.Status!.MembersHash.Should().NotBeNullOrEmpty();
        OrganizationShouldEqualDirectory(env, users: 3);
        (await env.WaitForEventsAsync("corp", e => e.Reason == "Synced", "the Synced event")).Should().ContainSingle(e => e.Reason == "Synced");
    }

    [Fact]
    public async Task ThrottledRequestsAreRetriedUntilTheOrganizationMatches()
    {
        await using var env = await SyncedAsync(users: 2);

        // The operator's reads of the directory ConfigMap and its status writes are throttled (429 + Retry-After) twice each.
        var reads = env.Kube.Faults.FailMatching(r => r.Method == "GET" && r.Path.EndsWith($"/configmaps/{DirectoryConfigMap}", StringComparison.Ordinal), 429, count: 2);
        var writes = env.Kube.Faults.FailMatching(r => r.Method == "PATCH" && r.Path.EndsWith("/status", StringComparison.Ordinal), 429, count: 2);
        // A merge patch (no read first), so the test's own request is not one of the throttled ones.
        var change = new { data = new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 6) } };
        await env.Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(JsonSerializer.Serialize(change), V1Patch.PatchType.MergePatch), DirectoryConfigMap, Namespace);

        await env.WaitForAsync("corp", s => IsReady(s) && s.Status!.UserCount == 6, "synced once the throttling ended");
        (reads.Sent, writes.Sent).Should().Be((2, 2));
        OrganizationShouldEqualDirectory(env, users: 6);
    }

    [Fact]
    public async Task EventsThatCannotBeWrittenAreLoggedAsWarningsAndCounted()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        var refused = env.Kube.Faults.FailMatching(r => r.Method == "POST" && r.Path.EndsWith("/events", StringComparison.Ordinal), 500, count: 100);
        var logs = new CapturedLogs();
        var host = await env.StartOperatorAsync(configureServices: services => services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Information)));

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "synced although no event could be written");
        await WaitUntilAsync(() => refused.Sent >= 2, "both events (Synced, OrganizationChanged) tried");

        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        metrics.Should().Contain("directorysync_event_write_errors_total{reason=\"Synced\"} 1")
            .And.Contain("directorysync_event_write_errors_total{reason=\"OrganizationChanged\"} 1");
        logs.Lines.Should().Contain(l => l.StartsWith("Warning ", StringComparison.Ordinal) && l.Contains("Could not record event Synced for bitwarden/corp", StringComparison.Ordinal));
        (await env.EventsForAsync("corp")).Should().BeEmpty();
        OrganizationShouldEqualDirectory(env, users: 2);
    }

    [Fact]
    public async Task MoreDirectorySyncsThanOneListPageAreAllReconciled()
    {
        // The server returns at most two items a page, so the operator's first list takes three pages.
        await using var env = await StartAsync(output, configureKube: kube => kube.MaxPageSize = 2);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        for (var i = 0; i < 5; i++)
        {
            await env.CreateDirectorySyncAsync($"corp-{i}", env.Spec());
        }

        await env.StartOperatorAsync();

        for (var i = 0; i < 5; i++)
        {
            await env.WaitForAsync($"corp-{i}", s => IsReady(s), $"corp-{i} synced");
        }

        env.Kube.Requests.Should().Contain(r => r.Contains("/directorysyncs?", StringComparison.Ordinal) && r.Contains("continue=", StringComparison.Ordinal), "the list was paged");
    }

    private async Task<OperatorEnvironment> SyncedAsync(int users)
    {
        var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        OrganizationShouldEqualDirectory(env, users);
        return env;
    }

    /// <summary>The members and the one group are exactly the directory's (DirectoryJson's users user-0..user-N-1, all in Group 0).</summary>
    private static void OrganizationShouldEqualDirectory(OperatorEnvironment env, int users)
    {
        var expected = Enumerable.Range(0, users).Select(i => $"user-{i}").ToList();
        var organization = env.Bitwarden.Organization;
        organization.Members.Select(m => m.ExternalId).Should().BeEquivalentTo(expected);
        organization.Members.Select(m => m.Email).Should().BeEquivalentTo(expected.Select(id => $"user{id[5..]}@corp.example"));
        var group = organization.Groups.Should().ContainSingle().Which;
        group.Name.Should().Be("Group 0");
        organization.MemberExternalIdsOf(group).Should().BeEquivalentTo(expected);
    }

    private static int ConfigMapLists(OperatorEnvironment env)
        => env.Kube.Requests.Count(r => r.StartsWith("GET ", StringComparison.Ordinal) && r.Contains("/configmaps", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal));
}

internal static class StatusWriteFaults
{
    /// <summary>Fails the next status merge patch that carries a sync's result (its membersHash).</summary>
    public static FaultRule FailMatching(this KubeApiEmulator kube, int code)
        => kube.Faults.FailMatching(r => r.Method == "PATCH" && r.Path.EndsWith("/status", StringComparison.Ordinal) && r.Body.Contains("\"membersHash\"", StringComparison.Ordinal), code);
}
