// Test names are sentences.

using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Prune;

/// <summary>spec.sync.prune, the deletion guard and the server conflicts, through the file source and the real engine
/// against the Bitwarden stand-in. After each step the organization must equal the directory's truth.</summary>
public sealed class PruneFileSourceTests : IAsyncLifetime, IDisposable
{
    private readonly LdifDirectory directory = new();
    private PruneHarness harness = null!;

    public async Task InitializeAsync() => harness = await PruneHarness.StartAsync();

    public async Task DisposeAsync() => await harness.DisposeAsync();

    public void Dispose() => directory.Dispose();

    private LdifDirectory Corp() => directory
        .User("Ann").User("Ben").User("Cat").User("Dan")
        .Group("Dev", directory.UserDn("Ann"), directory.UserDn("Ben"))
        .Group("Ops", directory.UserDn("Cat"))
        .Group("Everyone", directory.UserDn("Ann"), directory.UserDn("Ben"), directory.UserDn("Cat"), directory.UserDn("Dan"));

    [Fact]
    public async Task Deleted_moved_and_renamed_entries_leave_the_organization_equal_to_the_directory()
    {
        var source = Corp().Write();
        var spec = harness.Spec(directory);
        var first = await harness.SyncAsync("corp", spec, source);
        first.Changes!.Added.Should().HaveCount(4);
        first.Changes.GroupsCreated.Should().BeEquivalentTo("Dev", "Ops", "Everyone");

        // Dan leaves, Ben moves to another OU (a new DN, so a new external id), Ops is renamed to SRE (a new DN) and Dev is emptied.
        directory.RemoveUser(directory.UserDn("Dan")).RemoveUser(directory.UserDn("Ben")).User("Ben", ou: "Contractors")
            .RemoveGroup("Ops").Group("SRE", directory.UserDn("Cat")).Group("Dev")
            .Group("Everyone", directory.UserDn("Ann"), directory.UserDn("Ben", "Contractors"), directory.UserDn("Cat"));
        var second = await harness.SyncAsync("corp", spec, directory.Write());

        harness.Members().Should().Equal(
            $"ann@example.com {directory.UserDn("Ann")} Invited",
            $"ben@example.com {directory.UserDn("Ben", "Contractors")} Invited",
            $"cat@example.com {directory.UserDn("Cat")} Invited");
        harness.Groups().Should().Equal("Dev: ", "Everyone: ann@example.com ben@example.com cat@example.com", "SRE: cat@example.com");
        second.Changes!.Removed.Should().BeEquivalentTo("ben@example.com", "dan@example.com");
        second.Changes.Added.Should().Equal("ben@example.com");
        second.Changes.GroupsDeleted.Should().Equal("Ops");
        second.Changes.GroupsCreated.Should().Equal("SRE");
        second.Conflicts.Should().BeEmpty();

        var third = await harness.SyncAsync("corp", spec, directory.Write());
        third.Result.Should().Be(SyncResult.UpToDate, "nothing changed and nothing is left to prune");
    }

    [Fact]
    public async Task A_renamed_group_with_the_same_external_id_is_renamed_not_recreated()
    {
        Corp().Write();
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, directory.Write());
        var ops = harness.Organization.Groups.Single(g => g.Name == "Ops");

        var source = new RenamingSource(directory.Write(), directory.GroupDn("Ops"), "Operations");
        var outcome = await harness.SyncAsync("corp", spec, source);

        outcome.Changes!.GroupsRenamed.Should().Equal("Ops → Operations");
        harness.Organization.Groups.Single(g => g.Id == ops.Id).Name.Should().Be("Operations");
    }

    [Fact]
    public async Task Owners_members_without_an_external_id_and_other_tools_members_are_never_pruned()
    {
        var boss = harness.Organization.AddMember("boss@example.com", directory.UserDn("Boss"), StandInMemberType.Owner);
        var manual = harness.Organization.AddMember("contractor@elsewhere.example");
        var scim = harness.Organization.AddMember("scim@example.com", "okta|00u1");
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, directory.User("Boss", "boss@example.com").User("Ann").Write());

        // The whole directory but Ann disappears; only what this DirectorySync sent and can remove goes.
        var outcome = await harness.SyncAsync("corp", spec, directory.RemoveUser(directory.UserDn("Boss")).Write());

        outcome.Changes!.Removed.Should().BeEmpty("Boss is an owner");
        harness.Organization.Members.Select(m => m.Id).Should().Contain([boss.Id, manual.Id, scim.Id]);
        harness.MemberEmails().Should().Equal("ann@example.com", "boss@example.com", "contractor@elsewhere.example", "scim@example.com");
    }

    [Fact]
    public async Task Pending_invites_are_pruned_where_overwrite_existing_is_refused_before_anything_is_posted()
    {
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, Corp().Write());
        harness.Organization.Members.Should().OnlyContain(m => m.Status == StandInMemberStatus.Invited);
        directory.RemoveUser(directory.UserDn("Dan"));

        var overwrite = harness.Spec(directory, prune: false, sync: s => s.OverwriteExisting = true);
        var refused = await harness.FailAsync("corp", overwrite, directory.Write());
        refused.Reason.Should().Be(SyncFailureReason.OrganizationConflict);
        refused.Message.Should().Contain("dan@example.com").And.Contain("spec.sync.prune");
        harness.StandIn.ImportRequests.Should().HaveCount(1, "the refused overwrite posted nothing");

        var pruned = await harness.SyncAsync("corp", spec, directory.Write());
        pruned.Changes!.Removed.Should().Equal("dan@example.com");
        harness.MemberEmails().Should().Equal("ann@example.com", "ben@example.com", "cat@example.com");
    }

    [Fact]
    public async Task Overwrite_existing_never_sends_deleted_entries_the_server_would_count_twice()
    {
        var spec = harness.Spec(directory, prune: false, sync: s => { s.OverwriteExisting = true; s.RemoveDisabled = true; });
        await harness.SyncAsync("corp", spec, directory.User("Ann").User("Ben").Write());
        foreach (var member in harness.Organization.Members)
        {
            harness.Organization.SetStatus(member.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        }

        var outcome = await harness.SyncAsync("corp", spec, directory.User("Ben", disabled: true).Write());

        outcome.Requests.Single().Members.Should().NotContain(m => m.Deleted);
        outcome.Changes!.Removed.Should().Equal("ben@example.com");
        harness.MemberEmails().Should().Equal("ann@example.com");
    }

    [Fact]
    public async Task A_directory_sync_moved_to_another_organization_prunes_only_what_it_placed_there()
    {
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, directory.User("Ann").User("Ben").Write());
        harness.State("corp")!.ManagedMembers.Should().HaveCount(2);

        // spec.bitwarden moves to another organization, where Ben was already placed by someone else (e.g. the
        // original connector) with the same external id; Ben then leaves the directory.
        await using var other = await PruneHarness.StartAsync(new BitwardenStandInOptions { OrganizationId = Guid.Parse("99999999-8888-7777-6666-555555555555") });
        var ben = other.Organization.AddMember("ben@example.com", directory.UserDn("Ben"));
        other.SetState("corp", harness.State("corp"));
        var moved = await other.SyncAsync("corp", other.Spec(directory), directory.RemoveUser(directory.UserDn("Ben")).Write());

        moved.Changes!.Removed.Should().BeEmpty("this DirectorySync never placed Ben in this organization");
        other.Organization.Members.Select(m => m.Id).Should().Contain(ben.Id);
        other.MemberEmails().Should().Equal("ann@example.com", "ben@example.com");
        moved.State.ManagedMembers.Should().Equal(directory.UserDn("Ann"));
        moved.State.Organization.Should().Contain("99999999-8888-7777-6666-555555555555");

        // In the first organization nothing changed meanwhile: Ben is still one of its managed members there.
        harness.State("corp")!.ManagedMembers.Should().Contain(directory.UserDn("Ben"));
    }

    [Fact]
    public async Task Two_directory_syncs_into_one_organization_never_prune_each_others_members()
    {
        using var sales = new LdifDirectory("dc=sales,dc=example,dc=com");
        var engineeringSpec = harness.Spec(directory);
        var salesSpec = harness.Spec(sales);
        await harness.SyncAsync("engineering", engineeringSpec, directory.User("Ann").User("Ben").Group("Dev", directory.UserDn("Ann")).Write());
        await harness.SyncAsync("sales", salesSpec, sales.User("Sam", "sam@example.com").User("Sue", "sue@example.com").Group("Sales", sales.UserDn("Sam")).Write());

        await harness.SyncAsync("engineering", engineeringSpec, directory.RemoveUser(directory.UserDn("Ben")).RemoveGroup("Dev").Write());
        await harness.SyncAsync("sales", salesSpec, sales.RemoveUser(sales.UserDn("Sue")).Write());

        harness.MemberEmails().Should().Equal("ann@example.com", "sam@example.com");
        harness.Groups().Should().Equal("Sales: sam@example.com");
        harness.State("engineering")!.ManagedMembers.Should().Equal(directory.UserDn("Ann"));
        harness.State("sales")!.ManagedMembers.Should().Equal(sales.UserDn("Sam"));
    }

    [Fact]
    public async Task The_deletion_guard_stops_a_mass_removal_until_that_exact_plan_is_approved()
    {
        for (var i = 0; i < 20; i++)
        {
            directory.User($"User{i:00}");
        }

        var spec = harness.Spec(directory, maxDeletions: "10%");
        await harness.SyncAsync("corp", spec, directory.Write());
        for (var i = 0; i < 5; i++)
        {
            directory.RemoveUser(directory.UserDn($"User{i:00}"));
        }

        var stopped = await harness.FailAsync("corp", spec, directory.Write());

        stopped.Reason.Should().Be(SyncFailureReason.DeletionGuardTriggered);
        stopped.Retryable.Should().BeFalse();
        var guard = stopped.DeletionGuard!;
        guard.Should().BeEquivalentTo(new { MemberRemovals = 5, MemberLimit = 2, ManagedMembers = 20 });
        guard.Sample.Should().Contain(s => s.StartsWith("user00@example.com", StringComparison.Ordinal));
        stopped.Message.Should().Contain("5 of 20 managed members (maxDeletions allows 2)").And.Contain($"directoryconnector.dev/approve-deletions={guard.PlanHash}");
        harness.StandIn.ImportRequests.Should().HaveCount(1, "nothing was posted");
        harness.Organization.Members.Should().HaveCount(20);

        // An approval of another plan (say, an older one) does not open the guard.
        (await harness.FailAsync("corp", spec, directory.Write(), approve: "0123456789abcdef")).Reason.Should().Be(SyncFailureReason.DeletionGuardTriggered);

        var approved = await harness.SyncAsync("corp", spec, directory.Write(), approve: guard.PlanHash);
        approved.ApprovedDeletions.Should().Be(guard.PlanHash);
        harness.Organization.Members.Should().HaveCount(15);

        // The approval covered those five, not the next mass removal.
        for (var i = 5; i < 10; i++)
        {
            directory.RemoveUser(directory.UserDn($"User{i:00}"));
        }

        var next = await harness.FailAsync("corp", spec, directory.Write(), approve: guard.PlanHash);
        next.Reason.Should().Be(SyncFailureReason.DeletionGuardTriggered);
        next.DeletionGuard!.PlanHash.Should().NotBe(guard.PlanHash);
        harness.Organization.Members.Should().HaveCount(15);
    }

    [Fact]
    public async Task An_email_relinked_to_a_hand_invited_member_is_skipped_and_reported_while_the_rest_syncs()
    {
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, directory.User("Ann", "ann@example.com").Write());
        var ann = harness.Organization.Members.Single();
        // Ann's address changes; an administrator invites the new address by hand before the next sync (bitwarden/server#4117).
        var invited = harness.Organization.AddMember("ann.lee@example.com", status: StandInMemberStatus.Invited, hasMasterPassword: false);
        directory.User("Ann", "ann.lee@example.com").User("Ben");

        var outcome = await harness.SyncAsync("corp", spec, directory.Write());

        outcome.Conflicts.Should().ContainSingle().Which.Entry.Should().Be(directory.UserDn("Ann"));
        outcome.Conflicts[0].Message.Should().Contain("ann@example.com").And.Contain("ann.lee@example.com").And.Contain("bitwarden/server#4117")
            .And.Contain("Remove the member");
        outcome.Changes!.Added.Should().Equal("ben@example.com");
        harness.StandIn.ImportRequests.Should().OnlyContain(r => r.StatusCode == 200);
        harness.Organization.Members.Select(m => m.Id).Should().Contain([ann.Id, invited.Id]);

        // What the server does with the same import when the entry is not left out: HTTP 500, on every sync.
        var raw = outcome.Requests.Single().Members.Select(m => new { m.Email, m.ExternalId, m.Deleted }).Append(new { Email = "ann.lee@example.com", ExternalId = directory.UserDn("Ann"), Deleted = false });
        var status = await ImportRawAsync(harness.StandIn, raw);
        status.Should().Be(500);

        // The fix the message names: remove the stale member; the next sync links the invited one.
        harness.Organization.RemoveMember(ann.Id);
        var fixedOutcome = await harness.SyncAsync("corp", spec, directory.Write());
        fixedOutcome.Conflicts.Should().BeEmpty();
        fixedOutcome.Changes!.Linked.Should().Equal("ann.lee@example.com");
        harness.Organization.MemberByExternalId(directory.UserDn("Ann"))!.Id.Should().Be(invited.Id);
    }

    [Fact]
    public async Task An_email_that_belongs_to_another_external_id_is_reported_instead_of_silently_dropped()
    {
        harness.Organization.AddMember("ann@example.com", "okta|00u1");
        var outcome = await harness.SyncAsync("corp", harness.Spec(directory), directory.User("Ann").User("Ben").Write());

        outcome.Conflicts.Should().ContainSingle().Which.Message.Should().Contain("okta|00u1");
        outcome.Changes!.Added.Should().Equal("ben@example.com");
    }

    [Fact]
    public async Task Two_members_sharing_an_external_id_stop_the_sync_without_retrying_a_server_error()
    {
        harness.Organization.AddMember("a@example.com", "dup");
        harness.Organization.AddMember("b@example.com", "dup");

        var failure = await harness.FailAsync("corp", harness.Spec(directory), directory.User("Ann").Write());

        failure.Reason.Should().Be(SyncFailureReason.OrganizationConflict);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("dup: a@example.com and b@example.com");
        harness.StandIn.ImportRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_failing_empty_or_unreadable_source_and_a_failed_organization_read_never_remove_anyone()
    {
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, Corp().Write());

        var broken = await harness.FailAsync("corp", spec, new FailingSource());
        broken.Reason.Should().Be(SyncFailureReason.SourceUnavailable);

        using var empty = new LdifDirectory();
        var nothing = await harness.FailAsync("corp", spec, empty.Write());
        nothing.Reason.Should().Be(SyncFailureReason.SourceEmpty);

        harness.StandIn.FailNext(1, 500, StandInEndpoint.Groups);
        var unreadable = await harness.FailAsync("corp", spec, directory.RemoveUser(directory.UserDn("Dan")).Write());
        unreadable.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        unreadable.Retryable.Should().BeTrue();

        harness.Organization.Members.Should().HaveCount(4);
        harness.StandIn.ImportRequests.Should().HaveCount(1);
    }

    [Fact]
    public async Task A_dry_run_reports_the_removals_without_making_them()
    {
        var spec = harness.Spec(directory);
        await harness.SyncAsync("corp", spec, Corp().Write());

        var outcome = await harness.SyncAsync("corp", spec, directory.RemoveUser(directory.UserDn("Dan")).RemoveGroup("Ops").Write(), dryRun: true);

        outcome.Result.Should().Be(SyncResult.DryRun);
        outcome.Changes!.Removed.Should().Equal("dan@example.com");
        outcome.Changes.GroupsDeleted.Should().Equal("Ops");
        harness.Organization.Members.Should().HaveCount(4);
        harness.Organization.Groups.Should().HaveCount(3);
    }

    [Fact]
    public async Task Prune_on_a_server_without_the_public_members_api_is_refused_with_the_reason()
    {
        var spec = harness.Spec(directory);
        await using var vaultwarden = await PruneHarness.StartAsync(new BitwardenStandInOptions { RequireDeviceFields = true });
        vaultwarden.StandIn.FailNext(1, 404, StandInEndpoint.Members);

        var failure = await vaultwarden.FailAsync("corp", vaultwarden.Spec(directory), directory.User("Ann").Write());

        failure.Reason.Should().Be(SyncFailureReason.BitwardenApiUnsupported);
        failure.Message.Should().Contain("Vaultwarden").And.Contain("prune");
        vaultwarden.StandIn.ImportRequests.Should().BeEmpty();
        spec.Sync.Prune.Should().BeTrue();
    }

    [Fact]
    public async Task The_organization_read_follows_a_continuation_token_to_the_last_page()
    {
        await using var paged = await PruneHarness.StartAsync(new BitwardenStandInOptions { ListPageSize = 2 });
        var spec = paged.Spec(directory);
        await paged.SyncAsync("corp", spec, Corp().Write());

        var outcome = await paged.SyncAsync("corp", spec, directory.RemoveUser(directory.UserDn("Dan")).RemoveGroup("Ops").Write());

        outcome.Changes!.Removed.Should().Equal("dan@example.com");
        outcome.Changes.GroupsDeleted.Should().Equal("Ops");
        paged.StandIn.PublicApiRequests.Count(r => r.Method == "GET" && r.Path.EndsWith("/members", StringComparison.Ordinal)).Should().BeGreaterThan(2);
    }

    private static async Task<int> ImportRawAsync(BitwardenStandIn standIn, IEnumerable<object> members)
    {
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "api.organization"),
            new("client_id", standIn.ClientId), new("client_secret", standIn.ClientSecret)]);
        using var tokenResponse = await http.PostAsync(standIn.TokenUrl, form);
        var token = System.Text.Json.JsonDocument.Parse(await tokenResponse.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString();
        using var message = new HttpRequestMessage(HttpMethod.Post, standIn.ImportUrl)
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { groups = Array.Empty<object>(), members, overwriteExisting = false },
                options: new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web)),
        };
        message.Headers.Authorization = new("Bearer", token);
        using var response = await http.SendAsync(message);
        return (int)response.StatusCode;
    }

    private sealed class FailingSource : IDirectorySource
    {
        public Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
            => throw new IOException("the LDIF export was truncated");
    }

    /// <summary>Renames one group as the directory would with a stable external id (entryUUID, objectGUID).</summary>
    private sealed class RenamingSource(IDirectorySource inner, string externalId, string name) : IDirectorySource
    {
        public async Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
        {
            // The renamed data is not what the file's cursor describes: read in full and return no cursor.
            var snapshot = await inner.ReadAsync(query with { Cursor = null }, cancellationToken);
            return new DirectorySnapshot
            {
                Users = snapshot.Users,
                Groups = [.. snapshot.Groups.Select(g => g.ExternalId == externalId ? g with { Name = name } : g)],
                Skipped = snapshot.Skipped,
            };
        }
    }
}
