using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.Operator.Runtime;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using k8s.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

/// <summary>Start-up spreads the syncs that are due at once over a window, per object and deterministically.</summary>
public sealed class StartupJitterTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 8, 0, 0, TimeSpan.Zero);
    private readonly ReconcilerTests.ManualTime time = new(Start);
    private readonly ReconcilerTests.InMemoryStore store = new();
    private readonly ReconcilerTests.ScriptedRunner runner = new() { Next = _ => ReconcilerTests.Outcome(SyncResult.Synced, users: 2, groups: 1) };

    [Fact]
    public void FiveHundredDirectorySyncsSpreadEvenlyOverTheCappedWindowTheSameWayEveryTime()
    {
        var jitter = StartupJitter.For(Start, objects: 500, maxSpread: TimeSpan.FromMinutes(10));
        var again = StartupJitter.For(Start.AddHours(3), objects: 500, maxSpread: TimeSpan.FromMinutes(10));
        var uids = Enumerable.Range(0, 500).Select(i => Guid.NewGuid().ToString()).ToList();

        var offsets = uids.Select(uid => jitter.Offset(uid, TimeSpan.FromHours(1))).ToList();

        jitter.Spread.Should().Be(TimeSpan.FromSeconds(500), "one second per DirectorySync, under the 10 minute cap");
        offsets.Should().OnlyContain(o => o >= TimeSpan.Zero && o < TimeSpan.FromSeconds(500));
        offsets.GroupBy(o => (int)(o.TotalSeconds / 50)).Select(g => g.Count()).Should().HaveCount(10).And.OnlyContain(c => c >= 25 && c <= 75, "ten slices of 50 s each get about 50");
        uids.Select(uid => again.Offset(uid, TimeSpan.FromHours(1))).Should().Equal(offsets, "the offset depends on the uid alone");
        StartupJitter.For(Start, objects: 5000, maxSpread: TimeSpan.FromMinutes(10)).Spread.Should().Be(TimeSpan.FromMinutes(10));
        jitter.Offset(uids[0], TimeSpan.FromMinutes(2)).Should().BeLessThan(TimeSpan.FromMinutes(2), "never later than the interval");
        StartupJitter.For(Start, objects: 1, maxSpread: TimeSpan.FromMinutes(10)).Spread.Should().Be(TimeSpan.FromSeconds(1), "a lone DirectorySync barely waits");
    }

    [Fact]
    public async Task ADueSyncWaitsForItsOffsetAfterStartThenRuns()
    {
        var jitter = StartupJitter.For(Start, objects: 500, maxSpread: TimeSpan.FromMinutes(10));
        var uid = UidWithOffsetOver(jitter, TimeSpan.FromSeconds(60));
        store.Resource = Resource(uid, generation: 1);
        var reconciler = Reconciler(jitter);

        var held = await reconciler.ReconcileAsync("team/corp", CancellationToken.None);

        runner.Calls.Should().Be(0);
        held.RequeueAfter.Should().Be(jitter.Offset(uid, TimeSpan.FromHours(1)));
        time.Advance(held.RequeueAfter!.Value);
        var ran = await reconciler.ReconcileAsync("team/corp", CancellationToken.None);
        runner.Calls.Should().Be(1);
        ran.RequeueAfter.Should().Be(TimeSpan.FromHours(1));
        store.Resource!.Status!.LastSyncTime.Should().Be((Start + jitter.Offset(uid, TimeSpan.FromHours(1))).UtcDateTime.AddTicks(-((Start + jitter.Offset(uid, TimeSpan.FromHours(1))).UtcDateTime.Ticks % TimeSpan.TicksPerSecond)));
    }

    [Fact]
    public async Task AnOverdueSyncIsHeldButASpecChangeIsNot()
    {
        var jitter = StartupJitter.For(Start, objects: 500, maxSpread: TimeSpan.FromMinutes(10));
        var uid = UidWithOffsetOver(jitter, TimeSpan.FromSeconds(60));
        store.Resource = Resource(uid, generation: 1);
        // Synced two hours ago (the operator was down): the interval elapsed.
        time.Advance(TimeSpan.FromHours(-2));
        await Reconciler(StartupJitter.None).ReconcileAsync("team/corp", CancellationToken.None);
        time.Advance(TimeSpan.FromHours(2));
        var reconciler = Reconciler(jitter);

        var overdue = await reconciler.ReconcileAsync("team/corp", CancellationToken.None);
        runner.Calls.Should().Be(1, "only the sync two hours ago ran");
        overdue.RequeueAfter.Should().Be(jitter.Offset(uid, TimeSpan.FromHours(1)));

        store.Resource!.Metadata.Generation = 2;
        await reconciler.ReconcileAsync("team/corp", CancellationToken.None);
        runner.Calls.Should().Be(2, "a change someone made is synced at once");
    }

    private DirectorySyncReconciler Reconciler(StartupJitter jitter) =>
        new(store, runner, EngineServices.Validator, _ => new ReconcilerTests.NoReferences(), (_, _) => "1", new OperatorMetrics(), time,
            NullLogger<DirectorySyncReconciler>.Instance, jitter);

    private static string UidWithOffsetOver(StartupJitter jitter, TimeSpan minimum) =>
        Enumerable.Range(0, 1000).Select(i => $"uid-{i}").First(uid => jitter.Offset(uid, TimeSpan.FromHours(1)) > minimum);

    private static DirectorySync Resource(string uid, long generation) => new()
    {
        Metadata = new V1ObjectMeta { Name = "corp", NamespaceProperty = "team", Generation = generation, Uid = uid },
        Spec = new DirectorySyncSpec
        {
            Interval = "1h",
            Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = "directory", Key = "directory.json" }, Format = FileFormat.Json } },
        },
    };
}
