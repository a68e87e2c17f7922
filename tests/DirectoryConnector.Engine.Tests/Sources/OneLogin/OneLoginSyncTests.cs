using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Bitwarden;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.OneLogin;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.OneLogin.OneLoginTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.OneLogin;

/// <summary>OneLogin users and roles read over HTTPS from the stand-in, planned and imported into the Bitwarden stand-in:
/// what an administrator sees in the organization.</summary>
public sealed class OneLoginSyncTests : IAsyncLifetime
{
    private readonly InMemoryReferences references = new();
    private OneLoginStandIn oneLogin = null!;
    private BitwardenStandIn bitwarden = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        oneLogin = await OneLoginStandIn.StartAsync(new OneLoginStandInOptions { MaxPageSize = 50 });
        bitwarden = await BitwardenStandIn.StartAsync();
        references.Secrets[("bitwarden-org-api-key", "client_id")] = bitwarden.ClientId;
        references.Secrets[("bitwarden-org-api-key", "client_secret")] = bitwarden.ClientSecret;
        references.Secrets[("onelogin-api", "client-secret")] = oneLogin.ClientSecret;
        services = Services();

        // Alice and Bob in Engineering, Carol and Dave in Sales, Erin in Operations, Frank at another domain in none.
        oneLogin.Account.Put(User(1, "alice"), User(2, "bob"), User(3, "carol"), User(4, "dave"), User(5, "erin"),
            new OneLoginStandInUser(6, "frank", "frank@other.example", Firstname: "Frank"));
        oneLogin.Account.Put(new OneLoginStandInRole(100, "Engineering", [1, 2]), new OneLoginStandInRole(101, "Sales", [3, 4]),
            new OneLoginStandInRole(102, "Operations", [5]));
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await bitwarden.DisposeAsync();
        await oneLogin.DisposeAsync();
    }

    private DirectorySyncSpec Spec(string? users = null, string? groups = null, Action<SyncOptionsSpec>? sync = null)
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = bitwarden.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Filters = new FiltersSpec { Users = users, Groups = groups },
        };
        sync?.Invoke(spec.Sync);
        UseOneLogin(spec, oneLogin, useEmailPrefixSuffix: false, emailSuffix: null);
        return spec;
    }

    /// <summary>Points spec.source.oneLogin at a stand-in: its URL, client id, the client secret and its CA from Secrets.</summary>
    private void UseOneLogin(DirectorySyncSpec spec, OneLoginStandIn from, bool useEmailPrefixSuffix, string? emailSuffix)
    {
        var ca = $"onelogin-ca-{from.BaseUrl.Port}";
        references.Secrets[(ca, "ca.crt")] = from.CaPem;
        spec.Source = new SourceSpec
        {
            OneLogin = new OneLoginSourceSpec
            {
                ApiUrl = from.BaseUrl.ToString(),
                ClientId = from.ClientId,
                ClientSecretRef = new SecretKeyRef { Name = "onelogin-api", Key = "client-secret" },
                CaSecretRef = new SecretKeyRef { Name = ca, Key = "ca.crt" },
                UseEmailPrefixSuffix = useEmailPrefixSuffix,
                EmailSuffix = emailSuffix,
            },
        };
    }

    /// <summary>The source as the operator and the CLI build it: spec.source.oneLogin through the registered provider,
    /// the client secret and the stand-in's CA from Secrets.</summary>
    private async Task<IDirectorySource> Source(DirectorySyncSpec spec, bool useEmailPrefixSuffix = false, string? emailSuffix = null, OneLoginStandIn? from = null)
    {
        UseOneLogin(spec, from ?? oneLogin, useEmailPrefixSuffix, emailSuffix);
        return await services.GetRequiredService<SpecValidator>().Check(spec).CreateSourceAsync(references, CancellationToken.None);
    }

    private async Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec, SyncState? previous = null, IDirectorySource? source = null) =>
        await services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec), source ?? await Source(spec), references, previous, new SyncRunOptions(), CancellationToken.None);

    private string[] Members => [.. bitwarden.Organization.Members.Select(m => m.Email).Order(StringComparer.Ordinal)];

    /// <summary>Groups as "name: member emails" (external ids are OneLogin ids; emails read better).</summary>
    private string[] Groups
    {
        get
        {
            var organization = bitwarden.Organization;
            var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email);
            return [.. organization.Groups
                .Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails[id].Split('@')[0]).Order(StringComparer.Ordinal))}".TrimEnd())
                .Order(StringComparer.Ordinal)];
        }
    }

    public static TheoryData<string?, string?, string[], string[]> FilterMatrix => new()
    {
        { null, null, ["alice", "bob", "carol", "dave", "erin", "frank"], ["Engineering: alice bob", "Operations: erin", "Sales: carol dave"] },
        { "include:alice@example.com,BOB@example.com", null, ["alice", "bob"], ["Engineering: alice bob", "Operations:", "Sales:"] },
        { "exclude:alice@example.com", null, ["bob", "carol", "dave", "erin", "frank"], ["Engineering: bob", "Operations: erin", "Sales: carol dave"] },
        { "| email=*@example.com", null, ["alice", "bob", "carol", "dave", "erin"], ["Engineering: alice bob", "Operations: erin", "Sales: carol dave"] },
        { "exclude:alice@example.com | email=*@example.com", null, ["bob", "carol", "dave", "erin"], ["Engineering: bob", "Operations: erin", "Sales: carol dave"] },
        { null, "include:engineering", ["alice", "bob"], ["Engineering: alice bob"] },
        { null, "exclude:Engineering,Sales", ["erin"], ["Operations: erin"] },
        { null, "| name=*s", ["alice", "bob", "carol", "dave", "erin", "frank"], ["Operations: erin", "Sales: carol dave"] },
        { "include:carol@example.com", "include:Sales | name=S*", ["carol"], ["Sales: carol"] },
    };

    [Theory]
    [MemberData(nameof(FilterMatrix))]
    public async Task FiltersSelectUsersByEmailAndRolesByNameAsTheOriginalConnector(string? users, string? groups, string[] members, string[] groupSummary)
    {
        var outcome = await SyncAsync(Spec(users, groups));

        outcome.Result.Should().Be(SyncResult.Synced);
        Members.Select(e => e.Split('@')[0]).Should().Equal(members);
        Groups.Should().Equal(groupSummary);
    }

    [Theory]
    [InlineData("include:", null, "spec.filters.users")]
    [InlineData("contains:alice", null, "spec.filters.users")]
    [InlineData(null, "include:Sales |", "spec.filters.groups")]
    [InlineData(null, "Sales", "spec.filters.groups")]
    public async Task BadFiltersAreInvalidSpecNamingTheField(string? users, string? groups, string field)
    {
        var create = () => Source(Spec(users, groups));

        var error = (await create.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().Contain(field);
        oneLogin.Requests.Should().BeEmpty("a bad spec calls nobody");
    }

    [Fact]
    public async Task UseEmailPrefixSuffixWithoutASuffixIsInvalidSpec()
    {
        var create = () => Source(Spec(), useEmailPrefixSuffix: true);

        (await create.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should().Contain("spec.source.oneLogin.emailSuffix");
    }

    [Fact]
    public async Task EmailFallsBackToTheUsernameThenToUsernamePlusSuffixAndUnusableOnesAreReportedWithTheirAttribute()
    {
        oneLogin.Account.Put(
            new OneLoginStandInUser(11, "gina@example.com", null),
            new OneLoginStandInUser(12, "hank@example.com", "not-an-email"),
            new OneLoginStandInUser(13, "ivan", ""),
            new OneLoginStandInUser(14, "ann@", null),
            new OneLoginStandInUser(15, null, null));

        var withSuffix = await SyncAsync(Spec(), source: await Source(Spec(), useEmailPrefixSuffix: true, emailSuffix: "@corp.example.com"));

        Members.Should().Contain(["gina@example.com", "hank@example.com", "ivan@corp.example.com"]);
        withSuffix.Plan!.Skipped.Select(s => (s.Entry, s.Reason)).Should().BeEquivalentTo(new[]
        {
            ("14 (ann@)", "has no email; the address 'ann@@corp.example.com' built from username + emailSuffix is not valid either: it is not sent"),
            ("15", "has no email and no username: it is not sent"),
        });

        var withoutSuffix = await services.GetRequiredService<SyncEngine>().PreviewAsync(EngineServices.Validator.Check(Spec()), await Source(Spec()), CancellationToken.None);
        withoutSuffix.Plan!.Members.Select(m => m.Email).Should().NotContain("ivan@corp.example.com");
        withoutSuffix.Plan!.Skipped.Should().Contain(s => s.Entry == "13 (ivan)"
            && s.Reason.Contains("username 'ivan' is not an email", StringComparison.Ordinal) && s.Reason.Contains("useEmailPrefixSuffix", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SuspendedUsersAreDisabledOtherStatusesStayMembers(bool removeDisabled)
    {
        oneLogin.Account.Put(User(21, "suspended", status: 2), User(22, "locked", status: 3), User(23, "expired", status: 4),
            User(24, "awaitingreset", status: 5), User(25, "unactivated", status: 0));
        oneLogin.Account.UpdateRole(100, r => r with { UserIds = [.. r.UserIds, 21, 22] });

        var outcome = await SyncAsync(Spec(sync: s => s.RemoveDisabled = removeDisabled));

        outcome.Plan!.Members.Where(m => m.Disabled).Select(m => m.Email).Should().Equal("suspended@example.com");
        Members.Should().Contain(["locked@example.com", "expired@example.com", "awaitingreset@example.com", "unactivated@example.com"]);
        if (removeDisabled)
        {
            Members.Should().NotContain("suspended@example.com");
            Groups.Should().Contain("Engineering: alice bob locked");
        }
        else
        {
            Members.Should().Contain("suspended@example.com");
            Groups.Should().Contain("Engineering: alice bob locked suspended");
        }
    }

    [Fact]
    public async Task ARoleOf120MembersOverSeveralPagesSyncsWhole()
    {
        var many = Enumerable.Range(1000, 120).Select(i => User(i, $"member{i}")).ToArray();
        oneLogin.Account.Put(many);
        oneLogin.Account.Put(new OneLoginStandInRole(200, "Everyone", [.. many.Select(u => u.Id)]));

        await SyncAsync(Spec());

        var everyone = bitwarden.Organization.Groups.Single(g => g.Name == "Everyone");
        bitwarden.Organization.MemberExternalIdsOf(everyone).Should().BeEquivalentTo(many.Select(u => u.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        oneLogin.ApiRequests.Count(r => r.Path == "/api/2/roles/200/users").Should().Be(3, "120 members at 50 a page");
        oneLogin.ApiRequests.Count(r => r.Path == "/api/2/users").Should().Be(3, "126 users at 50 a page");
    }

    [Fact]
    public async Task ARoleNameOver100CharactersIsSkippedAndReportedWhileTheRestSyncs()
    {
        var longName = new string('R', 120);
        oneLogin.Account.Put(new OneLoginStandInRole(300, longName, [1]));

        var outcome = await SyncAsync(Spec());

        outcome.Result.Should().Be(SyncResult.Synced);
        Groups.Should().Equal("Engineering: alice bob", "Operations: erin", "Sales: carol dave");
        outcome.Plan!.Skipped.Should().ContainSingle(s => s.Kind == SkippedEntryKind.Group && s.Reason.Contains("120 characters", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ChangeSetsReachTheOrganization()
    {
        var first = await SyncAsync(Spec());

        oneLogin.Account.Put(User(7, "grace"));                                                // add
        oneLogin.Account.UpdateRole(100, r => r with { UserIds = [.. r.UserIds, 7] });
        oneLogin.Account.Update(3, u => u with { Status = 2 });                                 // suspend
        oneLogin.Account.UpdateRole(100, r => r with { UserIds = [.. r.UserIds.Where(id => id != 2)] }); // remove from role
        oneLogin.Account.UpdateRole(102, r => r with { Name = "Site Reliability" });            // rename role
        oneLogin.Account.DeleteUser(4);                                                          // delete
        var second = await SyncAsync(Spec(sync: s => s.RemoveDisabled = true), first.State);

        second.Result.Should().Be(SyncResult.Synced);
        Members.Should().Equal("alice@example.com", "bob@example.com", "dave@example.com", "erin@example.com", "frank@other.example", "grace@example.com");
        Groups.Should().Equal("Engineering: alice grace", "Sales:", "Site Reliability: erin");
        bitwarden.Organization.GroupByExternalId("102")!.Name.Should().Be("Site Reliability");

        // A deleted OneLogin user is only absent, not reported deleted: overwriteExisting removes it, as for LDAP.
        var dave = bitwarden.Organization.Members.Single(m => m.Email == "dave@example.com");
        bitwarden.Organization.SetStatus(dave.Id, StandInMemberStatus.Confirmed, hasMasterPassword: true);
        await SyncAsync(Spec(sync: s => { s.RemoveDisabled = true; s.OverwriteExisting = true; }), second.State);
        Members.Should().NotContain("dave@example.com");
    }

    [Fact]
    public async Task AThrottledSyncEndsIdenticalToAnUnthrottledOne()
    {
        await using var throttled = await OneLoginStandIn.StartAsync(new OneLoginStandInOptions { MaxPageSize = 2, RateLimit = 4, RateLimitWindow = TimeSpan.FromSeconds(1) });
        throttled.Account.Put([.. oneLogin.Account.Users]);
        throttled.Account.Put([.. oneLogin.Account.Roles]);
        throttled.FailNext(1, 429, "/api/2/roles/101/users");
        var engine = services.GetRequiredService<SyncEngine>();

        var calm = await engine.PreviewAsync(EngineServices.Validator.Check(Spec()), await Source(Spec()), CancellationToken.None);
        var busy = await engine.PreviewAsync(EngineServices.Validator.Check(Spec()), await Source(Spec(), from: throttled), CancellationToken.None);

        busy.Plan!.MembersHash.Should().Be(calm.Plan!.MembersHash);
        busy.Plan!.GroupsHash.Should().Be(calm.Plan!.GroupsHash);
        busy.Plan!.Members.Should().HaveCount(6);
        throttled.ApiRequests.Should().Contain(r => r.StatusCode == 429);
    }

    [Fact]
    public async Task AFailureMidReadPostsNothing()
    {
        await SyncAsync(Spec());
        var before = bitwarden.ImportRequests.Count;
        oneLogin.FailNext(4, 500, "/api/2/roles/102/users");

        var sync = () => SyncAsync(Spec(), null);

        (await sync.Should().ThrowAsync<SyncFailedException>()).Which.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        bitwarden.ImportRequests.Should().HaveCount(before);
        Members.Should().HaveCount(6);
    }

    // "Équipe Öst" as the directory holds it (NFC) and as filters may write it: decomposed (NFD, as macOS input
    // gives) in lower case, or precomposed in non-ASCII upper case. RFC 4518 caseIgnoreMatch makes them one name.
    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", "\u00C9quipe \u00D6st: erin")]
    [InlineData("include:\u00C9QUIPE \u00D6ST", "\u00C9quipe \u00D6st: erin")]
    public async Task RoleNamesInFiltersMatchInAnyNormalizationAndCase(string groups, string expected)
    {
        oneLogin.Account.Put(new OneLoginStandInRole(103, "\u00C9quipe \u00D6st", [5]));

        await SyncAsync(Spec(groups: groups));

        Groups.Should().Equal(expected);
        Members.Should().Equal("erin@example.com");
    }
}
