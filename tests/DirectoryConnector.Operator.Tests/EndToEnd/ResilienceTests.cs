using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>Dropped watches, compacted history, leader failover, many DirectorySyncs, and the metrics endpoint.</summary>
public sealed class ResilienceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task AChangeMadeWhileTheWatchWasDownAndTheHistoryCompactedIsNotMissed()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2), ["more.json"] = DirectoryJson(users: 3) });
        await env.StartOperatorAsync();
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "first sync");
        var listsBefore = CountLists(env);

        // The watches drop, the change lands, the history
        // the operator would resume from is compacted, and the next requests fail with 500: only a relist (after 410 Gone) can see the change.
        env.Kube.DropWatches().Should().BeGreaterThan(0);
        await env.PatchAsync("corp", new { spec = new { source = new { file = new { configMapRef = new { name = DirectoryConfigMap, key = "more.json" } } } } });
        env.Kube.CompactHistory();
        env.Kube.Faults.FailNextRequests(2);

        await env.WaitForAsync("corp", s => s.Status!.ObservedGeneration == 2 && IsReady(s, "Synced") && s.Status.UserCount == 3, "the change synced after reconnecting");
        env.Bitwarden.Organization.Members.Should().HaveCount(3);
        CountLists(env).Should().BeGreaterThan(listsBefore, "the informer relisted after 410 Gone");
    }

    [Fact]
    public async Task OfTwoInstancesOneLeadsAndTheOtherTakesOverWhenTheLeaseExpires()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2), ["more.json"] = DirectoryJson(users: 3) });
        var first = await env.StartOperatorAsync();
        var second = await env.StartOperatorAsync();

        await WaitUntilAsync(() => first.IsLeader || second.IsLeader, "a leader elected");
        await Task.Delay(TimeSpan.FromSeconds(1)); // bounded observation window: the other must stay a standby
        (first.IsLeader ^ second.IsLeader).Should().BeTrue("exactly one instance leads");
        var (leader, standby) = first.IsLeader ? (first, second) : (second, first);
        standby.IsReady.Should().BeTrue("a standby is ready, so rollouts are not blocked");
        (await Metric(standby, "leader_election_master_status")).Should().Contain("leader_election_master_status{name=\"directory-connector-operator\"} 0");
        (await Metric(leader, "leader_election_master_status")).Should().Contain("leader_election_master_status{name=\"directory-connector-operator\"} 1");

        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "synced by the leader");

        await env.StopOperatorAsync(leader);
        await WaitUntilAsync(() => standby.IsLeader, "the standby takes over after the lease expires", TimeSpan.FromSeconds(20));
        await env.PatchAsync("corp", new { spec = new { source = new { file = new { configMapRef = new { name = DirectoryConfigMap, key = "more.json" } } } } });
        await env.WaitForAsync("corp", s => s.Status!.ObservedGeneration == 2 && IsReady(s, "Synced") && s.Status.UserCount == 3, "synced by the new leader");
    }

    [Fact]
    public async Task AConnectionDroppedWhileTheLeaseIsAcquiredOrRenewedIsRetriedAsClientGoDoes()
    {
        await using var env = await StartAsync(output);
        static bool LeaseRequest(KubeApiRequest r) => r.Path.Contains("/leases", StringComparison.Ordinal);

        // The API server restarting as the pod starts (or a load balancer resetting connections): no HTTP status at all.
        var atStart = env.Kube.Faults.DropMatching(LeaseRequest, count: 3);
        var host = await env.StartOperatorAsync();
        await WaitUntilAsync(() => host.IsLeader, "leadership acquired once the API server answers again");
        atStart.Sent.Should().Be(3);
        host.Completion.IsCompleted.Should().BeFalse("a transport error while acquiring is retried every retryPeriod, not fatal");

        // One dropped renewal inside the renew deadline (1.5 s; retryPeriod 250 ms) is retried too.
        var whileLeading = env.Kube.Faults.DropMatching(LeaseRequest, count: 1);
        await WaitUntilAsync(() => whileLeading.Sent == 1, "a renewal dropped");
        await Task.Delay(TimeSpan.FromSeconds(2)); // bounded observation window: longer than the renew deadline
        host.Completion.IsCompleted.Should().BeFalse("one failed renewal within the renew deadline does not end the term");
        host.IsLeader.Should().BeTrue();
    }

    [Fact]
    public async Task ALeaderThatCannotRenewItsLeaseStopsWorkAndReportsIt()
    {
        await using var env = await StartAsync(output);
        var host = await env.StartOperatorAsync();
        await WaitUntilAsync(() => host.IsLeader, "leadership acquired");

        // The API server answers nothing but 500s for longer than the renew deadline.
        env.Kube.Faults.FailNextRequests(1000);
        var act = async () => await host.Completion.WaitAsync(TimeSpan.FromSeconds(20));
        await act.Should().ThrowAsync<Hosting.LeadershipLostException>();
        host.IsLeader.Should().BeFalse();
        (await Metric(host, "leader_election_master_status")).Should().EndWith(" 0");
    }

    [Fact]
    public async Task FiftyDirectorySyncsAreAllReconciledWithBoundedConcurrency()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 3) });
        var gauge = new ConcurrencyGauge();
        await env.StartOperatorAsync(o => o.Concurrency = 4, services => services.Decorate(gauge));

        const int count = 50;
        for (var i = 0; i < count; i++)
        {
            await env.CreateDirectorySyncAsync($"corp-{i:00}", env.Spec());
        }

        for (var i = 0; i < count; i++)
        {
            await env.WaitForAsync($"corp-{i:00}", s => IsReady(s), $"corp-{i:00} ready", TimeSpan.FromSeconds(60));
        }

        gauge.Max.Should().BeInRange(1, 4, "no more syncs run at once than --concurrency");
        gauge.Runs.Should().Be(count, "each DirectorySync syncs once: none is starved and none is synced twice without a change");
    }

    [Fact]
    public async Task TheShardSelectorAndWatchNamespaceLimitWhatAnInstanceReconciles()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        await env.StartOperatorAsync(o =>
        {
            o.LabelSelector = "shard=a";
            o.WatchNamespaces = [Namespace];
            o.LeaderElectionId = "shard-a";
        });

        await env.CreateDirectorySyncAsync("in-shard", env.Spec(), new Dictionary<string, string> { ["shard"] = "a" });
        await env.CreateDirectorySyncAsync("other-shard", env.Spec(), new Dictionary<string, string> { ["shard"] = "b" });
        await env.WaitForAsync("in-shard", s => IsReady(s), "the shard's DirectorySync synced");
        (await env.GetAsync("other-shard")).Status.Should().BeNull("another shard's operator owns it");

        // Relabelled into the other shard, it is no longer this instance's to sync.
        var imports = env.Bitwarden.ImportRequests.Count;
        await env.PatchAsync("in-shard", new { metadata = new { labels = new Dictionary<string, string> { ["shard"] = "b" } } });
        await env.PatchAsync("in-shard", new { spec = new { suspend = true } });
        await Task.Delay(TimeSpan.FromMilliseconds(500)); // bounded observation window for a sync that must not happen
        var moved = await env.GetAsync("in-shard");
        moved.Status!.ObservedGeneration.Should().Be(1, "the operator of shard a no longer reconciles it");
        env.Bitwarden.ImportRequests.Count.Should().Be(imports);
    }

    [Fact]
    public async Task MetricsHealthAndReadinessAreServed()
    {
        await using var env = await StartAsync(output);
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users: 2) });
        var host = await env.StartOperatorAsync(o => o.LeaderElection = false);
        await env.CreateDirectorySyncAsync("corp", env.Spec());
        await env.WaitForAsync("corp", s => IsReady(s, "Synced"), "synced");

        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        (await http.GetAsync(new Uri("/healthz", UriKind.Relative))).IsSuccessStatusCode.Should().BeTrue();
        (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).IsSuccessStatusCode.Should().BeTrue();
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        foreach (var series in new[]
        {
            "controller_runtime_reconcile_total{controller=\"directorysync\",result=\"requeue_after\"}",
            "controller_runtime_reconcile_errors_total",
            "controller_runtime_reconcile_time_seconds_bucket",
            "controller_runtime_active_workers{controller=\"directorysync\"}",
            "controller_runtime_max_concurrent_reconciles{controller=\"directorysync\"} 2",
            "workqueue_depth{name=\"directorysync\",controller=\"directorysync\"}",
            "workqueue_adds_total{name=\"directorysync\",controller=\"directorysync\"}",
            "workqueue_retries_total",
            "workqueue_queue_duration_seconds_bucket",
            "workqueue_work_duration_seconds_bucket",
            "leader_election_master_status",
            "directorysync_sync_total{name=\"corp\",namespace=\"bitwarden\",result=\"success\"} 1",
            "directorysync_status_condition{name=\"corp\",namespace=\"bitwarden\",condition=\"Ready\",status=\"True\"} 1",
            "directorysync_status_condition{name=\"corp\",namespace=\"bitwarden\",condition=\"Ready\",status=\"False\"} 0",
            "directorysync_sync_duration_seconds_bucket",
            "directorysync_last_success_timestamp_seconds{name=\"corp\",namespace=\"bitwarden\"}",
            "directorysync_directory_objects{name=\"corp\",namespace=\"bitwarden\",kind=\"user\"} 2",
        })
        {
            metrics.Should().Contain(series);
        }

        await env.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(DirectorySync.Group, DirectorySync.Version, Namespace, DirectorySync.Plural, "corp");
        await WaitUntilAsync(() => !http.GetStringAsync(new Uri("/metrics", UriKind.Relative)).GetAwaiter().GetResult().Contains("name=\"corp\"", StringComparison.Ordinal), "per-object series removed after deletion");
    }

    private static int CountLists(OperatorEnvironment env)
        => env.Kube.Requests.Count(r => r.StartsWith("GET /apis/directoryconnector.dev/", StringComparison.Ordinal) && r.Contains("directorysyncs", StringComparison.Ordinal) && !r.Contains("watch=true", StringComparison.Ordinal) && !r.Contains("/directorysyncs/", StringComparison.Ordinal));

    private static async Task<string> Metric(Hosting.OperatorHost host, string name)
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        return string.Join('\n', text.Split('\n').Where(l => l.StartsWith(name, StringComparison.Ordinal)));
    }
}

/// <summary>Wraps the real sync runner to observe how many syncs run at once and how often each DirectorySync syncs.</summary>
internal sealed class ConcurrencyGauge
{
    private int current;
    private int max;

    public int Max => Volatile.Read(ref max);

    private int runs;

    public int Runs => Volatile.Read(ref runs);

    public async Task<SyncOutcome> MeasureAsync(Func<Task<SyncOutcome>> run)
    {
        var now = Interlocked.Increment(ref current);
        int seen;
        while (now > (seen = Volatile.Read(ref max)) && Interlocked.CompareExchange(ref max, now, seen) != seen)
        {
        }

        try
        {
            return await run();
        }
        finally
        {
            Interlocked.Decrement(ref current);
            Interlocked.Increment(ref runs);
        }
    }
}

internal static class ConcurrencyGaugeRegistration
{
    public static void Decorate(this IServiceCollection services, ConcurrencyGauge gauge)
        => services.AddSingleton<ISyncRunner>(provider => new MeasuredRunner(ActivatorUtilities.CreateInstance<EngineSyncRunner>(provider), gauge));

    private sealed class MeasuredRunner(ISyncRunner inner, ConcurrencyGauge gauge) : ISyncRunner
    {
        public Task<SyncOutcome> RunAsync(CheckedSpec spec, IReferenceResolver references, SyncState? previous, SyncRunOptions options, CancellationToken cancellationToken)
            => gauge.MeasureAsync(() => inner.RunAsync(spec, references, previous, options, cancellationToken));
    }
}
