using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Reconciliation;

/// <summary>What status keeps of a sync comes back unchanged on the next sync, and every kind of change reaches status.</summary>
public sealed class SyncStateStatusTests
{
    [Fact]
    public void A_recorded_state_reads_back_as_the_same_state()
    {
        var state = new SyncState
        {
            MembersHash = "mh",
            GroupsHash = "gh",
            MemberShards = "ms",
            GroupShards = "gs",
            GroupDigests = "gd",
            SourceCursor = "cookie",
            SourceCursorScope = "scope",
            LastFullReadTime = new DateTimeOffset(2026, 11, 30, 8, 0, 0, TimeSpan.Zero),
            ManagedMembers = ["cn=ann", "cn=ben"],
            ManagedGroups = ["cn=dev"],
            RemovedDisabled = ["cn=cat"],
        };
        var status = new DirectorySyncStatus { LastSyncTime = new DateTime(2026, 11, 30, 9, 0, 0, DateTimeKind.Utc), UserCount = 2, GroupCount = 1, SkippedCount = 0 };

        SyncStateStatus.Record(status, state);

        SyncStateStatus.Of(status).Should().BeEquivalentTo(state with
        {
            LastSyncTime = new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero),
            UserCount = 2,
            GroupCount = 1,
            SkippedCount = 0,
        });
    }

    [Fact]
    public void A_state_without_managed_sets_keeps_the_recorded_ones_and_a_never_synced_status_has_no_state()
    {
        var status = new DirectorySyncStatus();
        SyncStateStatus.Previous(status).Should().BeNull();

        SyncStateStatus.Record(status, new SyncState { ManagedMembers = ["cn=ann"] });
        SyncStateStatus.Record(status, new SyncState { MembersHash = "mh" });

        SyncStateStatus.Of(status)!.ManagedMembers.Should().Equal("cn=ann");
    }

    [Fact]
    public void Every_kind_of_change_is_counted_in_status_lastChanges()
    {
        var changes = new SyncChanges
        {
            Added = ["a@example.com"],
            ReEnabled = ["b@example.com"],
            Linked = ["c@example.com"],
            Removed = ["d@example.com"],
            GroupMemberships = [new GroupMembershipChange("Dev", ["a@example.com"], ["d@example.com"])],
            GroupsCreated = ["Dev"],
            GroupsRenamed = ["Ops → SRE"],
            GroupsDeleted = ["QA"],
        };

        var status = ChangesStatus.From(changes, [], sampleSize: 10);

        SyncChangeKind.All.Should().OnlyContain(kind => kind.CountOf(changes) == 1, "each kind has one change here");
        var counted = new[] { status.Added, status.ReEnabled, status.Linked, status.Removed, status.GroupMembersAdded, status.GroupMembersRemoved, status.GroupsCreated, status.GroupsRenamed, status.GroupsDeleted };
        counted.Should().HaveCount(SyncChangeKind.All.Count, "status counts every kind of change").And.OnlyContain(count => count == 1);
    }
}
