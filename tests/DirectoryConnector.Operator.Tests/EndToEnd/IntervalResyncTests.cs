using System.Globalization;
using System.Text.Json;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Operator.Hosting;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>
/// The README's `UpToDate` promise end to end (issue #15): the operator, on an injected clock, against the Kubernetes
/// API emulator and the Bitwarden stand-in. An interval resync of unchanged data posts nothing; the shard digests the
/// first sync wrote to status are what the next sync compares against (a tampered one re-posts exactly that shard);
/// and the interval is measured on the host's TimeProvider: once past spec.interval, exactly one more sync, not before.
/// The clock only moves when the test advances it, and it advances only once the operator has scheduled its requeue
/// (controller_runtime_reconcile_total{result="requeue_after"}), so no step races the operator.
/// </summary>
public sealed class IntervalResyncTests(ITestOutputHelper output)
{
    private const string Name = "corp";
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    [Fact]
    public async Task AnIntervalResyncPostsNothingWhenUnchangedAndExactlyTheShardsWhoseStatusDigestDiffers()
    {
        await using var env = await StartAsync(output);
        var clock = new FakeTimeProvider(Start);
        // A full read every interval, so the resync compares hashes rather than stopping at the file's unchanged cursor.
        var host = await StartOperatorOnAsync(env, clock, users: 40, groups: 3, fullSyncInterval: "1h");
        var first = await env.WaitForAsync(Name, s => IsReady(s, "Synced"), "the first sync");
        await WaitForRequeuesAsync(host, 1);
        var firstImports = env.Bitwarden.ImportRequests;
        var directory = Members(firstImports).Select(m => m.ExternalId).ToList();
        directory.Should().HaveCount(40, "the first sync posts every member");
        Utc(first.Status!.LastSyncTime).Should().Be(Start.UtcDateTime, "status times come from the injected clock");
        first.Status.MemberShards.Should().NotBeNull();

        // Unchanged: the interval passes, the resync reads the hashes from status, posts nothing and says so.
        clock.Advance(Interval);
        var second = await env.WaitForAsync(Name, s => IsReady(s, "UpToDate"), "the interval resync");
        await WaitForRequeuesAsync(host, 2);
        env.Bitwarden.ImportRequests.Should().HaveCount(firstImports.Count, "nothing changed, so nothing is posted");
        Utc(second.Status!.LastSyncTime).Should().Be((Start + Interval).UtcDateTime);
        Ready(second)!.Message.Should().Be("Up to date: 40 users and 3 groups, unchanged since the last sync.", "the directory was read in full and its hashes matched");
        (second.Status.MembersHash, second.Status.GroupsHash, second.Status.MemberShards, second.Status.GroupShards)
            .Should().Be((first.Status.MembersHash, first.Status.GroupsHash, first.Status.MemberShards, first.Status.GroupShards));
        (await SyncTotalAsync(host, "unchanged")).Should().Be(1);

        // The status is what the engine compares against: one tampered member-shard digest re-posts that shard alone.
        var shard = ShardHashes.ShardOf(directory[0]);
        var digests = Convert.FromBase64String(second.Status.MemberShards!);
        digests[shard * ShardHashes.DigestSize] ^= 0xff;
        await env.PatchStatusAsync(Name, new { status = new { memberShards = Convert.ToBase64String(digests) } });
        clock.Advance(Interval);
        var third = await env.WaitForAsync(Name, s => IsReady(s) && Utc(s.Status!.LastSyncTime) == (Start + (2 * Interval)).UtcDateTime, "the resync after the tampered digest");
        await WaitForRequeuesAsync(host, 3);
        var reposted = env.Bitwarden.ImportRequests.Skip(firstImports.Count).ToList();
        reposted.Should().ContainSingle("one shard of members fits one request");
        Members(reposted).Select(m => m.ExternalId).Should().BeEquivalentTo(directory.Where(id => ShardHashes.ShardOf(id) == shard), "only the shard whose digest differs is posted");
        Groups(reposted).Should().BeEmpty("no group shard changed");
        Ready(third)!.Reason.Should().Be("Synced");
        third.Status!.MemberShards.Should().Be(first.Status.MemberShards, "the re-posted shard's digest is recorded again");

        // And the next interval finds everything posted again.
        clock.Advance(Interval);
        await env.WaitForAsync(Name, s => IsReady(s, "UpToDate") && Utc(s.Status!.LastSyncTime) == (Start + (3 * Interval)).UtcDateTime, "the next interval resync");
        env.Bitwarden.ImportRequests.Should().HaveCount(firstImports.Count + 1);
        (await SyncTotalAsync(host, "unchanged")).Should().Be(2);
    }

    [Fact]
    public async Task TheInjectedClockPassingSpecIntervalTriggersExactlyOneResyncAndNotBefore()
    {
        await using var env = await StartAsync(output);
        var clock = new FakeTimeProvider(Start);
        var host = await StartOperatorOnAsync(env, clock, users: 5, groups: 1);
        await env.WaitForAsync(Name, s => IsReady(s, "Synced"), "the first sync");
        await WaitForRequeuesAsync(host, 1);
        var imports = env.Bitwarden.ImportRequests.Count;

        // A second before the interval ends, a reconcile (an annotation change enqueues one) decides to wait.
        clock.Advance(Interval - TimeSpan.FromSeconds(1));
        await env.PatchAsync(Name, new { metadata = new { annotations = new Dictionary<string, string> { ["example.com/touched"] = "1" } } });
        await WaitForRequeuesAsync(host, 2);
        Utc((await env.GetAsync(Name)).Status!.LastSyncTime).Should().Be(Start.UtcDateTime, "the interval has not passed");
        (await SyncTotalAsync(host, "success"), await SyncTotalAsync(host, "unchanged")).Should().Be((1, 0));

        // The last second passes: the requeue the first sync scheduled fires on the injected clock, and syncs.
        clock.Advance(TimeSpan.FromSeconds(1));
        var resynced = await env.WaitForAsync(Name, s => IsReady(s, "UpToDate"), "the interval resync");
        await WaitForRequeuesAsync(host, 3);
        Utc(resynced.Status!.LastSyncTime).Should().Be((Start + Interval).UtcDateTime);
        Utc(resynced.Status.NextSyncTime).Should().Be((Start + (2 * Interval)).UtcDateTime);

        // Exactly one: another reconcile now finds the next sync an interval away.
        await env.PatchAsync(Name, new { metadata = new { annotations = new Dictionary<string, string> { ["example.com/touched"] = "2" } } });
        await WaitForRequeuesAsync(host, 4);
        (await SyncTotalAsync(host, "success"), await SyncTotalAsync(host, "unchanged")).Should().Be((1, 1));
        env.Bitwarden.ImportRequests.Should().HaveCount(imports, "an unchanged directory posts nothing");
    }

    /// <summary>The operator on <paramref name="clock"/> with one worker, then the DirectorySync (created once the caches
    /// synced, so no startup jitter holds its first sync).</summary>
    private static async Task<OperatorHost> StartOperatorOnAsync(OperatorEnvironment env, FakeTimeProvider clock, int users, int groups, string fullSyncInterval = "24h")
    {
        await env.PutApiKeySecretAsync();
        await env.PutDirectoryAsync(new Dictionary<string, string> { [DirectoryKey] = DirectoryJson(users, groups) });
        var host = await env.StartOperatorAsync(
            o =>
            {
                o.LeaderElection = false;
                o.Concurrency = 1;
            },
            services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(clock)));
        await WaitUntilAsync(() => host.IsLeader && host.IsReady, "the operator's caches synced");
        var spec = env.Spec();
        spec.Sync.FullSyncInterval = fullSyncInterval;
        await env.CreateDirectorySyncAsync(Name, spec);
        return host;
    }

    /// <summary>Waits until the controller has handled <paramref name="count"/> reconciles that ended by scheduling the
    /// next one (the clock may move only after that, or the requeue would count from the moved clock).</summary>
    private static async Task WaitForRequeuesAsync(OperatorHost host, int count)
    {
        var last = 0d;
        var deadline = DateTime.UtcNow + WaitLimit;
        while ((last = await MetricAsync(host, "controller_runtime_reconcile_total", "result=\"requeue_after\"")) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{count} requeued reconciles did not happen within {WaitLimit.TotalSeconds}s (saw {last}).");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<int> SyncTotalAsync(OperatorHost host, string result)
        => (int)await MetricAsync(host, "directorysync_sync_total", $"name=\"{Name}\"", $"result=\"{result}\"");

    private static async Task<double> MetricAsync(OperatorHost host, string name, params string[] labels)
    {
        using var http = new HttpClient { BaseAddress = host.HttpAddress };
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)));
        return line is null ? 0 : double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static DateTime Utc(DateTime? time)
        => time is not { } value ? default : value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime();

    private static List<ImportedMember> Members(IEnumerable<TestSupport.Bitwarden.RecordedRequest> imports)
        => [.. imports.SelectMany(r => JsonSerializer.Deserialize<ImportBody>(r.Body, JsonSerializerOptions.Web)!.Members)];

    private static List<ImportedGroup> Groups(IEnumerable<TestSupport.Bitwarden.RecordedRequest> imports)
        => [.. imports.SelectMany(r => JsonSerializer.Deserialize<ImportBody>(r.Body, JsonSerializerOptions.Web)!.Groups)];

    private sealed record ImportBody(List<ImportedMember> Members, List<ImportedGroup> Groups);

    private sealed record ImportedMember(string Email, string ExternalId, bool Deleted);

    private sealed record ImportedGroup(string Name, string ExternalId);
}
