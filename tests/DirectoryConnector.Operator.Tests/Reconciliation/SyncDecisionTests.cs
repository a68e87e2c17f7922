using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

public sealed class SyncDecisionTests
{
    private static readonly DateTime LastSync = new(2026, 11, 22, 10, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(15);

    private static SyncRevision Revision(long generation = 3, string requested = "-", string secretVersion = "100")
        => new(generation, requested, new Dictionary<string, string> { ["secret/api-key"] = secretVersion });

    private static DirectorySyncStatus Synced(SyncRevision revision, params (string Type, string Status)[] conditions) => new()
    {
        LastSyncTime = LastSync,
        SyncedRevision = revision.ToString(),
        Conditions = [.. (conditions.Length == 0 ? [("Ready", "True")] : conditions).Select(c => new V1Condition { Type = c.Type, Status = c.Status, Reason = "Synced", Message = "m" })],
    };

    public static TheoryData<string, DirectorySyncStatus?, SyncRevision, int, SyncTrigger> Table() => new()
    {
        { "no status yet", null, Revision(), 1, SyncTrigger.NeverSynced },
        { "status without a revision", new DirectorySyncStatus { LastSyncTime = LastSync }, Revision(), 1, SyncTrigger.NeverSynced },
        { "nothing changed, interval not elapsed", Synced(Revision()), Revision(), 5, SyncTrigger.None },
        { "interval elapsed", Synced(Revision()), Revision(), 15, SyncTrigger.IntervalElapsed },
        { "generation changed", Synced(Revision()), Revision(generation: 4), 1, SyncTrigger.SpecChanged },
        { "force annotation changed", Synced(Revision()), Revision(requested: "abc"), 1, SyncTrigger.SyncRequested },
        { "force annotation removed", Synced(Revision(requested: "abc")), Revision(), 1, SyncTrigger.SyncRequested },
        { "secret rotated", Synced(Revision()), Revision(secretVersion: "101"), 1, SyncTrigger.ReferenceChanged },
        { "secret appeared", Synced(Revision(secretVersion: "-")), Revision(secretVersion: "7"), 1, SyncTrigger.ReferenceChanged },
        { "retryable failure", Synced(Revision(), ("Ready", "False"), ("Stalled", "False")), Revision(), 1, SyncTrigger.RetryAfterFailure },
        { "stalled waits for a change", Synced(Revision(), ("Ready", "False"), ("Stalled", "True")), Revision(), 1, SyncTrigger.None },
        { "stalled retries at the interval", Synced(Revision(), ("Ready", "False"), ("Stalled", "True")), Revision(), 16, SyncTrigger.IntervalElapsed },
        { "interrupted while reconciling", Synced(Revision(), ("Ready", "True"), ("Reconciling", "True")), Revision(), 1, SyncTrigger.Interrupted },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void DecidesWhetherASyncIsDue(string because, DirectorySyncStatus? status, SyncRevision current, int minutesAfterLastSync, SyncTrigger expected)
    {
        var decision = SyncDecision.Decide(status, current, Interval, LastSync.AddMinutes(minutesAfterLastSync));
        decision.Trigger.Should().Be(expected, because);
    }

    [Fact]
    public void WhenNotDueItRequeuesAfterTheRemainingInterval()
    {
        var decision = SyncDecision.Decide(Synced(Revision()), Revision(), Interval, LastSync.AddMinutes(5));
        decision.Due.Should().BeFalse();
        decision.RequeueAfter.Should().Be(TimeSpan.FromMinutes(10));
    }

    [Fact]
    public void OnlyAnExplicitRequestBypassesTheHashSkip()
    {
        SyncDecision.Decide(Synced(Revision()), Revision(requested: "x"), Interval, LastSync).Force.Should().BeTrue();
        SyncDecision.Decide(Synced(Revision()), Revision(generation: 9), Interval, LastSync).Force.Should().BeFalse();
    }

    [Fact]
    public void ARevisionRoundTripsThroughItsRendering()
    {
        var revision = new SyncRevision(12, SyncRevision.FingerprintOf("2026-11-22T10:00:00Z"), new Dictionary<string, string> { ["secret/b"] = "2", ["configmap/a"] = "-" });
        SyncRevision.TryParse(revision.ToString()).Should().Be(revision);
        revision.ToString().Should().NotContain("2026-11-22", "the annotation value is fingerprinted");
        SyncRevision.TryParse("garbage").Should().BeNull();
    }
}
