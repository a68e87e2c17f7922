using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.GoogleWorkspace;

/// <summary>Google Workspace users and groups read over HTTPS from the stand-in, planned and imported into the
/// Bitwarden stand-in: what an administrator sees in the organization.</summary>
public sealed class GoogleWorkspaceSyncTests : IAsyncLifetime
{
    private readonly InMemoryReferences references = new();
    private GoogleWorkspaceStandIn google = null!;
    private BitwardenStandIn bitwarden = null!;
    private ServiceProvider services = null!;
    private GoogleStandInGroup engineering = null!;
    private GoogleStandInGroup sales = null!;

    public async Task InitializeAsync()
    {
        google = await GoogleTestKit.StartAsync();
        bitwarden = await BitwardenStandIn.StartAsync();
        references.Secrets[("bitwarden-org-api-key", "client_id")] = bitwarden.ClientId;
        references.Secrets[("bitwarden-org-api-key", "client_secret")] = bitwarden.ClientSecret;
        references.Secrets[("google-sa", "key.json")] = google.ServiceAccount.ToJsonKey();
        references.Secrets[("google-ca", "ca.crt")] = google.CaPem;
        services = new ServiceCollection()
            .AddLogging()
            .AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1)
            .Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<GoogleDirectoryClient>(), options =>
            {
                options.BaseRetryDelay = TimeSpan.FromMilliseconds(10);
                options.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            })
            .BuildServiceProvider();

        // Alice and Bob in Engineering (/Engineering), Carol and Dave in Sales (/Sales), Erin in /Operations in no group.
        var alice = google.AddUser("alice@example.com", orgUnitPath: "/Engineering");
        var bob = google.AddUser("bob@example.com", orgUnitPath: "/Engineering/Platform");
        var carol = google.AddUser("carol@example.com", orgUnitPath: "/Sales");
        var dave = google.AddUser("dave@example.com", orgUnitPath: "/Sales");
        google.AddUser("erin@example.com", orgUnitPath: "/Operations");
        engineering = google.AddGroup("Engineering");
        sales = google.AddGroup("Sales");
        google.Change(() =>
        {
            engineering.Members.AddRange([GoogleWorkspaceStandIn.UserMember(alice), GoogleWorkspaceStandIn.UserMember(bob)]);
            sales.Members.AddRange([GoogleWorkspaceStandIn.UserMember(carol), GoogleWorkspaceStandIn.UserMember(dave)]);
        });
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await bitwarden.DisposeAsync();
        await google.DisposeAsync();
    }

    private DirectorySyncSpec Spec(string? users = null, string? groups = null, Action<SyncOptionsSpec>? sync = null)
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec
            {
                GoogleWorkspace = new GoogleWorkspaceSourceSpec
                {
                    AdminUser = "admin@example.com",
                    ServiceAccountKeySecretRef = new SecretKeyRef { Name = "google-sa", Key = "key.json" },
                    TokenUrl = google.TokenUrl.ToString(),
                    ApiUrl = google.BaseUrl.ToString(),
                    CaSecretRef = new SecretKeyRef { Name = "google-ca", Key = "ca.crt" },
                },
            },
            Filters = new FiltersSpec { Users = users, Groups = groups },
        };
        sync?.Invoke(spec.Sync);
        return spec;
    }

    private void AcceptAllInvites()
    {
        foreach (var member in bitwarden.Organization.Members)
        {
            bitwarden.Organization.SetStatus(member.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        }
    }

    /// <summary>The source as the operator and the CLI build it: spec.source.googleWorkspace and spec.filters through the
    /// registered provider, the JSON key and the stand-in's CA from Secrets.</summary>
    private Task<IDirectorySource> Source(DirectorySyncSpec spec) =>
        services.GetRequiredService<SpecValidator>().Check(spec).CreateSourceAsync(references, CancellationToken.None);

    private async Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec, SyncState? previous = null) =>
        await services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), await Source(spec), references, previous, new SyncRunOptions(), CancellationToken.None);

    private string[] Members => [.. bitwarden.Organization.Members.Select(m => m.Email.Split('@')[0]).Order(StringComparer.Ordinal)];

    /// <summary>Groups as "name: member names" (external ids are Google ids; names read better).</summary>
    private string[] Groups
    {
        get
        {
            var organization = bitwarden.Organization;
            var names = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email.Split('@')[0]);
            return [.. organization.Groups
                .Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => names[id]).Order(StringComparer.Ordinal))}".TrimEnd())
                .Order(StringComparer.Ordinal)];
        }
    }

    public static TheoryData<string?, string?, string[], string[]> FilterMatrix => new()
    {
        { null, null, ["admin", "alice", "bob", "carol", "dave", "erin"], ["Engineering: alice bob", "Sales: carol dave"] },
        { "exclude:BOB@example.com", null, ["admin", "alice", "carol", "dave", "erin"], ["Engineering: alice", "Sales: carol dave"] },
        { "include:alice@example.com, carol@example.com", null, ["alice", "carol"], ["Engineering: alice", "Sales: carol"] },
        { "| orgUnitPath=/Engineering", null, ["alice", "bob"], ["Engineering: alice bob", "Sales:"] },
        { "exclude:bob@example.com | orgUnitPath=/Engineering", null, ["alice"], ["Engineering: alice", "Sales:"] },
        { "|isAdmin=true", null, ["admin"], ["Engineering:", "Sales:"] },
        // A group set keeps only users that are direct members of a kept group (upstream filterUsersFromGroupsSet).
        { null, "include:engineering", ["alice", "bob"], ["Engineering: alice bob"] },
        { null, "exclude:Sales", ["alice", "bob"], ["Engineering: alice bob"] },
        { null, "| name:Sal*", ["admin", "alice", "bob", "carol", "dave", "erin"], ["Sales: carol dave"] },
        { "| orgUnitPath=/Sales", "include:Sales | email:sales*", ["carol", "dave"], ["Sales: carol dave"] },
        // A bare value matches given name, family name or email; memberKey lists the groups a user is a direct member of.
        { "| carol", null, ["carol"], ["Engineering:", "Sales: carol"] },
        { null, "| memberKey=alice@example.com", ["admin", "alice", "bob", "carol", "dave", "erin"], ["Engineering: alice bob"] },
    };

    [Theory]
    [MemberData(nameof(FilterMatrix))]
    public async Task FiltersSelectUsersByEmailOrQueryAndGroupsByNameOrQueryAsTheOriginalConnector(string? users, string? groups, string[] members, string[] groupSummary)
    {
        var outcome = await SyncAsync(Spec(users, groups));

        outcome.Result.Should().Be(SyncResult.Synced);
        Members.Should().Equal(members);
        Groups.Should().Equal(groupSummary);
    }

    [Theory]
    [InlineData("orgUnitPath=/Engineering", "spec.filters.users")]
    [InlineData("include:", "spec.filters.users")]
    [InlineData("contains:Sales", "spec.filters.groups")]
    public async Task AFilterThatIsNeitherASetNorAQueryIsAnInvalidSpecNamingTheField(string filter, string field)
    {
        var act = () => Source(field.EndsWith("users", StringComparison.Ordinal) ? Spec(users: filter) : Spec(groups: filter));

        var error = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().StartWith(field);
        google.Requests.Should().BeEmpty("a malformed filter is refused before Google is asked");
    }

    [Fact]
    public async Task AQueryGoogleRejectsFailsTheSyncAndPostsNothing()
    {
        var act = () => SyncAsync(Spec(users: "| department='R&D'"));

        var error = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().Contain("spec.filters.users").And.Contain("Invalid Input");
        bitwarden.ImportRequests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SuspendedAndArchivedUsersAreDisabledAndDeletedOnesRemovedWhenTheSyncOverwrites(bool removeDisabled)
    {
        google.Change(() =>
        {
            google.Users.Single(u => u.PrimaryEmail == "bob@example.com").Suspended = true;
            google.Users.Single(u => u.PrimaryEmail == "carol@example.com").Archived = true;
        });
        await SyncAsync(Spec(sync: s => s.RemoveDisabled = removeDisabled));

        Members.Should().Equal(removeDisabled ? ["admin", "alice", "dave", "erin"] : ["admin", "alice", "bob", "carol", "dave", "erin"]);
        // Bob's membership is SUSPENDED at Google: only ACTIVE members count (upstream), reported.
        Groups.Should().Contain("Engineering: alice");

        google.Change(() => google.Users.Single(u => u.PrimaryEmail == "erin@example.com").DeletionTime = DateTimeOffset.UtcNow);
        var withoutOverwrite = await SyncAsync(Spec(sync: s => s.RemoveDisabled = removeDisabled));
        Members.Should().Contain("erin", "a deleted user is read only when the sync overwrites (upstream PR #548)");
        google.ApiRequests.Should().NotContain(r => r.Path.Contains("showDeleted", StringComparison.Ordinal));

        // The members accepted their invites: overwriteExisting refuses to remove members who are only invited.
        AcceptAllInvites();
        await SyncAsync(Spec(sync: s => { s.RemoveDisabled = removeDisabled; s.OverwriteExisting = true; }), withoutOverwrite.State);

        Members.Should().NotContain("erin");
        google.ApiRequests.Should().Contain(r => r.Path.Contains("showDeleted=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMixedCasePrimaryEmailReachesTheOrganizationLowercasedWithTheGoogleUserIdAsExternalId()
    {
        var frank = google.AddUser("Frank.Miller@Example.COM");
        google.Change(() => sales.Members.Add(GoogleWorkspaceStandIn.UserMember(frank)));

        await SyncAsync(Spec());

        var member = bitwarden.Organization.Members.Should().ContainSingle(m => m.ExternalId == frank.Id).Subject;
        member.Email.Should().Be("frank.miller@example.com");
        bitwarden.Organization.Members.Where(m => m.Email != "frank.miller@example.com")
            .Select(m => m.ExternalId).Should().BeEquivalentTo(google.Users.Where(u => u != frank).Select(u => u.Id), "every member's external id is its Google user id");
        Groups.Should().Contain("Sales: carol dave frank.miller");
    }

    [Fact]
    public async Task NestedGroupsAreFlattenedAlsoThroughGroupsTheFilterLeavesOutAndCustomerMeansEveryone()
    {
        var leads = google.AddGroup("Leads");
        var everyone = google.AddGroup("All Staff");
        google.Change(() =>
        {
            leads.Members.Add(GoogleWorkspaceStandIn.GroupMember(engineering));
            leads.Members.Add(GoogleWorkspaceStandIn.UserMember(google.Users.Single(u => u.PrimaryEmail == "erin@example.com")));
            everyone.Members.Add(google.CustomerMember());
        });

        await SyncAsync(Spec(groups: "| name:L*"));

        Groups.Should().Equal("Leads: alice bob erin");

        await SyncAsync(Spec());

        Groups.Should().Equal("All Staff: admin alice bob carol dave erin", "Engineering: alice bob", "Leads: alice bob erin", "Sales: carol dave");

        await SyncAsync(Spec(users: "| orgUnitPath=/Sales"));

        Groups.Should().Contain("All Staff: carol dave", "CUSTOMER stands for every user this sync reads, not users the filter leaves out");
    }

    [Fact]
    public async Task AGroupOf250MembersOverSeveralPagesSyncsWhole()
    {
        var big = google.AddGroup("Everyone Big");
        var users = Enumerable.Range(0, 250).Select(i => google.AddUser($"user{i:000}@example.com")).ToList();
        google.Change(() => big.Members.AddRange(users.Select(u => GoogleWorkspaceStandIn.UserMember(u))));

        await SyncAsync(Spec());

        bitwarden.Organization.MemberExternalIdsOf(bitwarden.Organization.Groups.Single(g => g.Name == "Everyone Big")).Should().BeEquivalentTo(users.Select(u => u.Id));
        google.ApiRequests.Count(r => r.Path.StartsWith($"/admin/directory/v1/groups/{big.Id}/members", StringComparison.Ordinal)).Should().Be(2);
    }

    [Fact]
    public async Task AGroupNameOver100CharactersIsSkippedAndReportedWhileTheRestSyncs()
    {
        var longName = new string('L', 120);
        var group = google.AddGroup(longName, "long@example.com");
        google.Change(() => group.Members.Add(GoogleWorkspaceStandIn.UserMember(google.Users.Single(u => u.PrimaryEmail == "erin@example.com"))));

        var outcome = await SyncAsync(Spec());

        Groups.Should().Equal("Engineering: alice bob", "Sales: carol dave");
        Members.Should().Contain("erin");
        outcome.Plan!.Skipped.Should().ContainSingle(s => s.Kind == SkippedEntryKind.Group && s.Reason.Contains("120 characters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangeSetsReachTheOrganization()
    {
        var first = await SyncAsync(Spec(sync: s => s.RemoveDisabled = true));
        Members.Should().Equal("admin", "alice", "bob", "carol", "dave", "erin");

        var frank = google.AddUser("frank@example.com");
        google.Change(() =>
        {
            sales.Members.Add(GoogleWorkspaceStandIn.UserMember(frank));
            google.Users.Single(u => u.PrimaryEmail == "dave@example.com").Suspended = true;
            engineering.Members.RemoveAll(m => m.Email == "bob@example.com");
            engineering.Name = "Engineering & Product";
        });
        var second = await SyncAsync(Spec(sync: s => s.RemoveDisabled = true), first.State);

        Members.Should().Equal("admin", "alice", "bob", "carol", "erin", "frank");
        Groups.Should().Equal("Engineering & Product: alice", "Sales: carol frank");
        bitwarden.Organization.Groups.Single(g => g.Name == "Engineering & Product").ExternalId.Should().Be(engineering.Id, "a rename keeps the group");

        google.Change(() => google.Users.Single(u => u.PrimaryEmail == "carol@example.com").DeletionTime = DateTimeOffset.UtcNow);
        // The members accepted their invites: overwriteExisting refuses to remove members who are only invited.
        AcceptAllInvites();
        await SyncAsync(Spec(sync: s => { s.RemoveDisabled = true; s.OverwriteExisting = true; }), second.State);

        Members.Should().Equal("admin", "alice", "bob", "erin", "frank");
        Groups.Should().Equal("Engineering & Product: alice", "Sales: frank");
    }

    [Fact]
    public async Task AThrottledSyncEndsIdenticalToAnUnthrottledOne()
    {
        google.FailNext(2, GoogleFault.UserRateLimitExceeded);

        var outcome = await SyncAsync(Spec());

        outcome.Result.Should().Be(SyncResult.Synced);
        Members.Should().Equal("admin", "alice", "bob", "carol", "dave", "erin");
        Groups.Should().Equal("Engineering: alice bob", "Sales: carol dave");
    }

    [Fact]
    public async Task APermissionFailureMidReadPostsNothing()
    {
        await SyncAsync(Spec());
        var imports = bitwarden.ImportRequests.Count;
        google.AddUser("new@example.com");
        google.Change(() => google.Users.Single(u => u.PrimaryEmail == GoogleTestKit.Admin).IsAdmin = false);

        var act = () => SyncAsync(Spec());

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        bitwarden.ImportRequests.Should().HaveCount(imports);
        Members.Should().Equal("admin", "alice", "bob", "carol", "dave", "erin");
    }

    // "Équipe Öst" as the directory holds it (NFC) and as filters may write it: decomposed (NFD, as macOS input
    // gives) in lower case, or precomposed in non-ASCII upper case. RFC 4518 caseIgnoreMatch makes them one name.
    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", new[] { "erin" }, new[] { "\u00C9quipe \u00D6st: erin" })]
    [InlineData("include:\u00C9QUIPE \u00D6ST", new[] { "erin" }, new[] { "\u00C9quipe \u00D6st: erin" })]
    [InlineData("exclude:E\u0301QUIPE O\u0308ST,sales", new[] { "alice", "bob" }, new[] { "Engineering: alice bob" })]
    public async Task GroupNamesInFiltersMatchInAnyNormalizationAndCase(string groups, string[] members, string[] groupSummary)
    {
        var team = google.AddGroup("\u00C9quipe \u00D6st", "equipe-ost@example.com");
        google.Change(() => team.Members.Add(GoogleWorkspaceStandIn.UserMember(google.Users.Single(u => u.PrimaryEmail == "erin@example.com"))));

        await SyncAsync(Spec(groups: groups));

        Members.Should().Equal(members);
        Groups.Should().Equal(groupSummary);
    }
}
