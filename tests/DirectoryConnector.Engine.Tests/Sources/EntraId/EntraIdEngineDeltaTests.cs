using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>Delta queries through the whole engine: spec.source.entraId read by its registered provider, the cursor
/// kept in the sync state between runs as the operator's status keeps it, the organization asserted on the Bitwarden
/// stand-in and the Graph calls on the Graph stand-in. The engine's clock is injected, so fullSyncInterval can elapse.</summary>
public sealed class EntraIdEngineDeltaTests : EntraIdOrganizationTest
{
    private readonly SettableTime time = new(new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero));

    protected override TimeProvider Time => time;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SeedTeam();
    }

    [Fact]
    public async Task A_second_sync_with_nothing_changed_posts_nothing_and_makes_only_the_delta_calls()
    {
        var first = await SyncAsync();
        first.Result.Should().Be(SyncResult.Synced);
        var graphBefore = StandIn.GraphRequests.Count;
        var bitwardenBefore = Bitwarden.Requests.Count;

        var second = await SyncAsync();

        second.SourceUnchanged.Should().BeTrue();
        second.Result.Should().Be(SyncResult.UpToDate);
        var graph = StandIn.GraphRequests.Skip(graphBefore).ToList();
        graph.Select(r => Resource(r)).Should().Equal(["users/delta", "groups/delta"], "one delta page per resource, no listing of users, groups or members");
        graph.Should().OnlyContain(r => r.Body.Contains("$deltatoken=", StringComparison.Ordinal) && r.StatusCode == 200);
        Bitwarden.Requests.Skip(bitwardenBefore).Should().NotContain(r => r.Method == "POST" && r.Path.EndsWith("/import", StringComparison.Ordinal), "nothing changed");
        Bitwarden.ImportRequests.Should().HaveCount(first.Requests.Count);
        Organization().Should().Equal(Truth());
    }

    [Fact]
    public async Task Changes_reported_by_the_delta_reach_the_organization()
    {
        await SyncAsync();

        // Added user, and a group membership change.
        Tenant.AddUser(User("frank"));
        Tenant.AddMember(IdOf("eng"), IdOf("frank"));
        var added = await SyncAsync();
        added.SourceUnchanged.Should().BeFalse();
        added.FullReadReason.Should().Contain("changed");
        Organization().Should().Equal(Truth()).And.Contain("Engineering: alice bob frank");

        // A membership change alone.
        Tenant.RemoveMember(IdOf("eng"), IdOf("alice"));
        await SyncAsync();
        Organization().Should().Equal(Truth()).And.Contain("Engineering: bob frank");

        // A deleted user: users/delta reports it @removed; it leaves the organization and its groups.
        Tenant.DeleteUser(IdOf("bob"));
        var deleted = await SyncAsync();
        deleted.Plan!.Members.Should().ContainSingle(m => m.ExternalId == IdOf("bob")).Which.Deleted.Should().BeTrue();
        Organization().Should().Equal(Truth()).And.NotContain("bob@contoso.com").And.Contain("Engineering: frank");

        (await SyncAsync()).SourceUnchanged.Should().BeTrue("the full read after a change issues a fresh delta link");
    }

    [Theory]
    [InlineData(false, 400, "syncStateNotFound")]
    [InlineData(true, 410, "resyncRequired")]
    public async Task An_expired_delta_link_falls_back_to_one_full_read_that_says_why(bool answersGone, int status, string code)
    {
        await SyncAsync();
        StandIn.ExpiredDeltaAnswersGone = answersGone;
        Tenant.ExpireDeltaLinks();
        Tenant.AddUser(User("frank"));
        var graphBefore = StandIn.GraphRequests.Count;

        var outcome = await SyncAsync();

        outcome.SourceUnchanged.Should().BeFalse();
        outcome.FullReadReason.Should().Contain("expired").And.Contain(code);
        var graph = StandIn.GraphRequests.Skip(graphBefore).ToList();
        graph.Count(r => r.StatusCode == status).Should().Be(1, "the link is tried once, then the read starts over");
        graph.Should().Contain(r => Resource(r) == "users/delta" && r.StatusCode == 200 && !r.Body.Contains("$deltatoken=", StringComparison.Ordinal), "an initial round: every user");
        Organization().Should().Equal(Truth()).And.Contain("frank@contoso.com");
        (await SyncAsync()).SourceUnchanged.Should().BeTrue();
    }

    [Fact]
    public async Task FullSyncInterval_elapsed_forces_a_full_read()
    {
        var spec = SyncSpec(sync: sync => sync.FullSyncInterval = "6h");
        await SyncAsync(spec);
        time.Advance(TimeSpan.FromHours(5));
        (await SyncAsync(spec)).SourceUnchanged.Should().BeTrue("within the interval the delta link is used");
        var graphBefore = StandIn.GraphRequests.Count;

        time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromMinutes(1));
        var outcome = await SyncAsync(spec);

        outcome.SourceUnchanged.Should().BeFalse();
        outcome.Plan.Should().NotBeNull();
        var graph = StandIn.GraphRequests.Skip(graphBefore).ToList();
        graph.Should().NotContain(r => r.Body.Contains("$deltatoken=", StringComparison.Ordinal), "the delta link is not used past fullSyncInterval");
        graph.Should().Contain(r => Resource(r) == "users/delta").And.Contain(r => Resource(r) == "groups/delta");
        outcome.Result.Should().Be(SyncResult.UpToDate, "nothing changed, so the full read posts nothing either");
        time.Advance(TimeSpan.FromMinutes(1));
        (await SyncAsync(spec)).SourceUnchanged.Should().BeTrue("the full read restarts the interval");
    }

    /// <summary>"users/delta" for /v1.0/users/delta and /v1.0/users/delta() (as the SDK writes the initial round).</summary>
    private static string Resource(TestSupport.Bitwarden.RecordedRequest request) => request.Path["/v1.0/".Length..].Replace("()", "", StringComparison.Ordinal);

    /// <summary>The same shape from the directory itself: every user, and Engineering's members.</summary>
    private string[] Truth()
    {
        var snapshot = Source(StandIn).ReadAsync().GetAwaiter().GetResult();
        // A full read also lists users still in deletedItems, as deleted: they are not part of the truth.
        var emails = snapshot.Users.Where(u => !u.Deleted).ToDictionary(u => u.ReferenceId, u => u.Email!);
        return
        [
            .. emails.Values.Order(StringComparer.Ordinal),
            .. snapshot.Groups.Select(g => $"{g.Name}: {string.Join(' ', g.MemberReferences.Select(id => emails[id].Split('@')[0]).Order(StringComparer.Ordinal))}")
                .Order(StringComparer.Ordinal),
        ];
    }

    private sealed class SettableTime(DateTimeOffset start) : TimeProvider
    {
        private DateTimeOffset now = start;

        public override DateTimeOffset GetUtcNow() => now;

        public void Advance(TimeSpan by) => now += by;
    }
}
