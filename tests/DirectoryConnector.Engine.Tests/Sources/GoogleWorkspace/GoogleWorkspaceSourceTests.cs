using DirectoryConnector.Engine.Sources.Filters;
using System.Buffers.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using FluentAssertions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.GoogleWorkspace;

/// <summary>The Google Workspace source against the loopback Google stand-in (HTTPS, its own CA).</summary>
public sealed class GoogleWorkspaceSourceTests : IAsyncLifetime
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);
    private readonly ServiceProvider services = GoogleTestKit.Services();
    private GoogleWorkspaceStandIn google = null!;

    public async Task InitializeAsync() => google = await GoogleTestKit.StartAsync();

    public async Task DisposeAsync()
    {
        await google.DisposeAsync();
        await services.DisposeAsync();
    }

    private GoogleWorkspaceSource Source(GoogleWorkspaceSourceSpec? spec = null, string? key = null, string? caPem = "") =>
        GoogleTestKit.Source(google, services, spec, key, caPem: caPem);

    /// <summary>The failure a full read with <paramref name="source"/> ends in.</summary>
    private static async Task<SyncFailedException> FailureAsync(GoogleWorkspaceSource source) =>
        (await FluentActions.Awaiting(() => source.ReadAsync(Everything, CancellationToken.None)).Should().ThrowAsync<SyncFailedException>()).Which;

    private Task<DirectorySnapshot> ReadAsync(DirectoryQuery? query = null, SourceFilter? users = null, SourceFilter? groups = null) =>
        GoogleTestKit.Source(google, services, users: users, groups: groups).ReadAsync(query ?? Everything, CancellationToken.None);

    [Fact]
    public async Task TheTokenRequestIsASignedAssertionForTheAdminWithExactlyTheThreeScopes()
    {
        await ReadAsync();

        var token = google.TokenRequests.Should().ContainSingle().Subject;
        token.StatusCode.Should().Be(200);
        var form = QueryHelpers.ParseQuery(token.Body);
        form["grant_type"].ToString().Should().Be("urn:ietf:params:oauth:grant-type:jwt-bearer");
        var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(form["assertion"].ToString().Split('.')[1])).RootElement;
        claims.GetProperty("iss").GetString().Should().Be(google.ServiceAccount.ClientEmail);
        claims.GetProperty("sub").GetString().Should().Be(GoogleTestKit.Admin);
        claims.GetProperty("aud").GetString().Should().Be("https://oauth2.googleapis.com/token");
        claims.GetProperty("scope").GetString()!.Split(' ').Should().BeEquivalentTo(
            "https://www.googleapis.com/auth/admin.directory.user.readonly",
            "https://www.googleapis.com/auth/admin.directory.group.readonly",
            "https://www.googleapis.com/auth/admin.directory.group.member.readonly");
        google.ApiRequests.Should().OnlyContain(r => r.StatusCode == 200 && r.Headers["Authorization"].StartsWith("Bearer ya29.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task UsersMapToIdsEmailsAndDisabledState()
    {
        var alice = google.AddUser("Alice@Example.com");
        var suspended = google.AddUser("sam@example.com");
        suspended.Suspended = true;
        var archived = google.AddUser("arch@example.com");
        archived.Archived = true;
        var deleted = google.AddUser("gone@example.com");
        deleted.DeletionTime = DateTimeOffset.UtcNow.AddDays(-1);

        var snapshot = await ReadAsync(Everything with { Groups = false });

        snapshot.Users.Select(u => $"{u.Email} {u.ExternalId == u.ReferenceId} {u.Disabled} {u.Deleted}").Should().BeEquivalentTo(
            "admin@example.com True False False", "Alice@Example.com True False False", "sam@example.com True True False", "arch@example.com True True False");
        snapshot.Users.Single(u => u.Email == "Alice@Example.com").ExternalId.Should().Be(alice.Id);
        snapshot.Users.Select(u => u.ReferenceId).Should().BeInAscendingOrder(StringComparer.Ordinal);
        google.ApiRequests.Should().NotContain(r => r.Path.Contains("showDeleted", StringComparison.Ordinal), "deleted users are read only when the sync asks for them");

        var withDeleted = await ReadAsync(Everything with { Groups = false, IncludeDeleted = true });

        withDeleted.Users.Where(u => u.Deleted).Select(u => u.ExternalId).Should().Equal(deleted.Id);
        google.ApiRequests.Should().Contain(r => r.Path.Contains("showDeleted=true", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AUserWithoutEmailAddressesIsReportedNotSent()
    {
        var user = google.AddUser("noemail@example.com");
        user.HasEmails = false;

        var snapshot = await ReadAsync();

        snapshot.Users.Should().NotContain(u => u.ReferenceId == user.Id);
        snapshot.Skipped.Should().ContainSingle(s => s.Entry == "noemail@example.com" && s.Kind == SkippedEntryKind.User);
    }

    [Fact]
    public async Task MembersOfTypeUserGroupAndCustomerBecomeMembersNestedGroupsAndEveryone()
    {
        var alice = google.AddUser("alice@example.com");
        var bob = google.AddUser("bob@example.com");
        bob.Suspended = true;
        var outside = google.AddGroup("Outside");
        var engineering = google.AddGroup("Engineering");
        var everyone = google.AddGroup("Everyone");
        google.Change(() =>
        {
            engineering.Members.Add(GoogleWorkspaceStandIn.UserMember(alice));
            engineering.Members.Add(GoogleWorkspaceStandIn.UserMember(bob));
            engineering.Members.Add(GoogleWorkspaceStandIn.GroupMember(outside));
            outside.Members.Add(new GoogleStandInMember("ext-1", "partner@other.example", "EXTERNAL", null));
            everyone.Members.Add(google.CustomerMember());
        });

        var snapshot = await ReadAsync(groups: GoogleTestKit.Filter("| name:Eng*"));

        var eng = snapshot.Groups.Single(g => g.Name == "Engineering");
        eng.MemberReferences.Should().BeEquivalentTo(alice.Id, outside.Id);
        snapshot.Groups.Should().ContainSingle(g => g.ReferenceId == outside.Id && !g.Selected, "a nested group the query leaves out is read so nesting resolves");
        snapshot.Groups.Should().NotContain(g => g.Name == "Everyone");
        snapshot.Skipped.Select(s => s.Entry).Should().BeEquivalentTo("Engineering: bob@example.com", $"{outside.Id}: partner@other.example");

        var all = await ReadAsync();

        all.Groups.Single(g => g.Name == "Everyone").MemberReferences.Should().BeEquivalentTo(all.Users.Select(u => u.ReferenceId));
    }

    [Fact]
    public async Task EveryPageIsReadAcrossManyPages()
    {
        google.MaxPageSize = 2;
        var users = Enumerable.Range(0, 7).Select(i => google.AddUser($"user{i}@example.com")).ToList();
        var group = google.AddGroup("Big");
        google.Change(() => group.Members.AddRange(users.Select(u => GoogleWorkspaceStandIn.UserMember(u))));
        for (var i = 0; i < 5; i++)
        {
            google.AddGroup($"Group {i}");
        }

        var snapshot = await ReadAsync();

        snapshot.Users.Should().HaveCount(8);
        snapshot.Groups.Should().HaveCount(6);
        snapshot.Groups.Single(g => g.Name == "Big").MemberReferences.Should().HaveCount(7);
        google.ApiRequests.Count(r => r.Path.StartsWith("/admin/directory/v1/users?", StringComparison.Ordinal)).Should().Be(4);
        google.ApiRequests.Count(r => r.Path.StartsWith("/admin/directory/v1/groups?", StringComparison.Ordinal)).Should().Be(3, "6 groups in pages of 2");
        google.ApiRequests.Count(r => r.Path.Contains("/members?", StringComparison.Ordinal) && r.Path.Contains(group.Id, StringComparison.Ordinal)).Should().Be(4);
        google.ApiRequests.Should().OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task ADomainAndAQueryNarrowTheListAndAnIncludeSetFiltersByEmail()
    {
        google.Domains.Add("example.org");
        google.AddUser("eng1@example.com", orgUnitPath: "/Engineering");
        google.AddUser("eng2@example.com", orgUnitPath: "/Engineering/Platform");
        google.AddUser("sales@example.com", orgUnitPath: "/Sales");
        google.AddUser("eng3@example.org", orgUnitPath: "/Engineering");

        var snapshot = await ReadAsync(Everything with { Groups = false },
            users: GoogleTestKit.Filter("exclude:ENG2@example.com | orgUnitPath=/Engineering"));

        snapshot.Users.Select(u => u.Email).Should().BeEquivalentTo("eng1@example.com", "eng3@example.org");

        var spec = GoogleTestKit.Spec(google);
        spec.Domain = "example.org";
        var inDomain = await Source(spec).ReadAsync(Everything with { Groups = false }, CancellationToken.None);

        inDomain.Users.Select(u => u.Email).Should().Equal("eng3@example.org");
    }

    [Fact]
    public async Task AQueryGoogleRejectsIsAnInvalidSpecNamingTheFilterWithGooglesMessage()
    {
        var act = () => ReadAsync(users: GoogleTestKit.Filter("| department=Engineering"));

        var error = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().Contain("spec.filters.users").And.Contain("Invalid Input").And.Contain("department=Engineering");
    }

    // Google's search-groups guide allows only "=" and ":PREFIX*" on email and name, and memberKey alone.
    [Theory]
    [InlineData("| name:Eng")]
    [InlineData("| email:engineering")]
    [InlineData("| memberKey=alice@example.com name=Engineering")]
    [InlineData("| orgUnitPath=/Engineering")]
    public async Task AGroupsQueryGoogleRejectsIsAnInvalidSpecNamingTheGroupsFilterWithGooglesMessage(string filter)
    {
        google.AddGroup("Engineering");

        var act = () => ReadAsync(groups: GoogleTestKit.Filter(filter, SourceValidation.GroupsFilterPath));

        var error = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Retryable.Should().BeFalse();
        error.Message.Should().Contain("spec.filters.groups").And.Contain("HTTP 400 invalid: Invalid Input").And.Contain(filter[2..])
            .And.Contain("search-groups");
    }

    [Fact]
    public async Task AQuotedValueWithAnEscapedQuoteReachesGoogleIntact()
    {
        google.AddGroup("Valentine's Day", "valentines@example.com");
        google.AddGroup("Valentine", "valentine@example.com");

        var snapshot = await ReadAsync(groups: GoogleTestKit.Filter(@"| name='Valentine\'s Day'", SourceValidation.GroupsFilterPath));

        snapshot.Groups.Select(g => g.Name).Should().Equal("Valentine's Day");
    }

    [Fact]
    public async Task APageTokenGoogleRefusesMidReadIsRetryableAndNeverBlamesTheFilter()
    {
        google.MaxPageSize = 1;
        google.AddUser("alice@example.com", orgUnitPath: "/Engineering");
        google.AddUser("bob@example.com", orgUnitPath: "/Engineering");
        // The token of page 1 stops being valid just before page 2 is asked for (Google's expire; at times one comes back unusable).
        google.OnApiRequest = n =>
        {
            if (n == 2)
            {
                google.ExpirePageTokens();
            }
        };

        var act = () => ReadAsync(Everything with { Groups = false }, users: GoogleTestKit.Filter("| orgUnitPath=/Engineering"));

        var error = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable, "the query was accepted on page 1; the spec is fine");
        error.Retryable.Should().BeTrue();
        error.Message.Should().Contain("page token").And.Contain("users.list").And.Contain("Invalid Input: ").And.Contain("from the start")
            .And.NotContain("spec.filters.users");
        google.ApiRequests.Select(r => r.StatusCode).Should().Equal(200, 400);
    }

    [Fact]
    public async Task ACustomerThatIsNotTheAdministratorsIsAnInvalidSpecNamingCustomer()
    {
        var spec = GoogleTestKit.Spec(google);
        spec.Customer = "example.com";

        var error = await FailureAsync(Source(spec));

        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().Contain("HTTP 400 badRequest: Bad Request").And.Contain("customer 'example.com'")
            .And.Contain("spec.source.googleWorkspace.customer").And.Contain("my_customer");
    }

    [Fact]
    public async Task ADomainTheCustomerDoesNotOwnIsAPermissionProblemNamingDomain()
    {
        var spec = GoogleTestKit.Spec(google);
        spec.Domain = "other.example";

        var error = await FailureAsync(Source(spec));

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("403 forbidden: Not Authorized to access this resource/api").And.Contain("spec.source.googleWorkspace.domain");
        google.ApiRequests.Should().ContainSingle("a permission problem is not retried");
    }

    [Fact]
    public async Task AClockAnHourOrMoreOffIsInvalidGrantNamingTheClock()
    {
        // Google refuses an assertion whose exp has passed by its own clock: here Google's clock runs two hours ahead.
        google.Time = new ShiftedClock(TimeSpan.FromHours(2));

        var error = await FailureAsync(Source());

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("invalid_grant").And.Contain("Check your iat and exp values").And.Contain("clock");
        google.TokenRequests.Should().ContainSingle().Which.StatusCode.Should().Be(400);
        google.ApiRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task AKeyOfAServiceAccountGoogleDoesNotKnowIsInvalidGrantNamingTheKeySecret()
    {
        using var other = new GoogleServiceAccount(name: "deleted-account");

        var error = await FailureAsync(Source(key: other.ToJsonKey()));

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("invalid_grant: Invalid grant: account not found").And.Contain("spec.source.googleWorkspace.serviceAccountKeySecretRef");
        error.Message.Should().NotContain(other.PrivateKeyPem[40..80]);
    }

    [Fact]
    public async Task DelegationWithoutEveryScopeIsUnauthorizedClientNamingTheClientIdAndScopes()
    {
        google.DelegatedScopes.Remove(GoogleWorkspaceStandIn.MemberScope);

        var error = await FailureAsync(Source());

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("unauthorized_client").And.Contain("Domain-wide delegation").And.Contain(google.ServiceAccount.ClientId)
            .And.Contain(GoogleWorkspaceStandIn.MemberScope);
        google.ApiRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task AnAdminUserGoogleDoesNotKnowIsInvalidGrantNamingTheField()
    {
        var spec = GoogleTestKit.Spec(google);
        spec.AdminUser = "nobody@example.com";

        var error = await FailureAsync(Source(spec));

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("invalid_grant").And.Contain("Invalid email or User ID").And.Contain("spec.source.googleWorkspace.adminUser");
    }

    [Fact]
    public async Task ANonAdministratorSubjectIsAPermissionProblemNamingTheRoleScopesAndDelegation()
    {
        google.AddUser("clerk@example.com");
        var spec = GoogleTestKit.Spec(google);
        spec.AdminUser = "clerk@example.com";

        var error = await FailureAsync(Source(spec));

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("403 forbidden").And.Contain("Not Authorized to access this resource/api").And.Contain("spec.source.googleWorkspace.adminUser")
            .And.Contain("domain-wide delegation").And.Contain(GoogleWorkspaceStandIn.UserScope);
    }

    [Fact]
    public async Task AKeyFromAnotherServiceAccountFailsTheSignatureCheck()
    {
        using var other = new GoogleServiceAccount();
        var key = JsonSerializer.Deserialize<Dictionary<string, string>>(other.ToJsonKey())!;
        key["client_email"] = google.ServiceAccount.ClientEmail;

        var error = await FailureAsync(Source(key: JsonSerializer.Serialize(key)));

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("Invalid JWT Signature");
    }

    [Fact]
    public async Task ATokenUrlThatAnswersNoTokenResponseIsRetryableNamingTheUrlAndTheStatusButNotTheBody()
    {
        var spec = GoogleTestKit.Spec(google);
        spec.TokenUrl = new Uri(google.BaseUrl, "not-the-token-endpoint").ToString();

        var error = await FailureAsync(Source(spec));

        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Retryable.Should().BeTrue();
        error.Message.Should().StartWith($"The token endpoint {spec.TokenUrl} did not answer with a token (HTTP 404 with ")
            .And.Contain("spec.source.googleWorkspace.tokenUrl");
        google.ApiRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task OneTokenServesEveryRequestOfARead()
    {
        google.MaxPageSize = 1;
        google.AddUser("alice@example.com");
        google.AddUser("bob@example.com");

        await ReadAsync();

        google.ApiRequests.Should().HaveCountGreaterThan(2);
        google.TokenRequests.Should().ContainSingle("the access token is kept until five minutes before it expires");
    }

    [Fact]
    public async Task ATokenRevokedMidReadIsReplacedOnceAndThatPageAskedForAgainWithoutRestartingTheRead()
    {
        google.MaxPageSize = 1;
        google.AddUser("alice@example.com");
        google.AddUser("bob@example.com");
        var group = google.AddGroup("Team");
        google.Change(() => group.Members.AddRange(google.Users.Select(u => GoogleWorkspaceStandIn.UserMember(u))));
        // Pages 1 and 2 of users.list succeed; the token is revoked as page 3 is asked for.
        google.OnApiRequest = n =>
        {
            if (n == 3)
            {
                google.RevokeAllTokens();
            }
        };

        var snapshot = await ReadAsync();

        snapshot.Users.Select(u => u.Email).Should().BeEquivalentTo(["admin@example.com", "alice@example.com", "bob@example.com"], o => o.WithStrictOrdering());
        snapshot.Groups.Should().ContainSingle().Which.MemberReferences.Should().HaveCount(3);
        google.TokenRequests.Select(r => r.StatusCode).Should().Equal(200, 200);
        var api = google.ApiRequests;
        api.Select(r => r.StatusCode).Should().Equal(200, 200, 401, 200, 200, 200, 200, 200);
        api[3].Path.Should().Be(api[2].Path, "the same page again, with its page token");
        api[3].Headers["Authorization"].Should().NotBe(api[2].Headers["Authorization"]);
        api.Where(r => r.StatusCode == 200).Select(r => r.Path).Should().OnlyHaveUniqueItems("no page is read twice");
    }

    [Fact]
    public async Task ANewTokenGoogleAlsoRefusesIsTheAuthFailureAfterOneRenewal()
    {
        google.AddUser("alice@example.com");
        google.OnApiRequest = _ => google.RevokeAllTokens();

        var error = await FailureAsync(Source());

        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("rejected the access token for admin@example.com on users.list").And.Contain("authError");
        google.TokenRequests.Should().HaveCount(2);
        google.ApiRequests.Select(r => r.StatusCode).Should().Equal(401, 401);
    }

    [Theory]
    [InlineData("pem")]
    [InlineData("authorized_user")]
    [InlineData("no-private-key")]
    [InlineData("bad-private-key")]
    public void AKeyThatIsNotAServiceAccountJsonKeyIsAnInvalidSpecNamingTheSecretKeyWithoutQuotingIt(string kind)
    {
        var pem = google.ServiceAccount.PrivateKeyPem;
        var text = kind switch
        {
            "pem" => pem,
            "authorized_user" => JsonSerializer.Serialize(new { type = "authorized_user", client_id = "x.apps.googleusercontent.com", client_secret = "GOCSPX-secretvalue", refresh_token = "1//refresh" }),
            "no-private-key" => JsonSerializer.Serialize(new { type = "service_account", client_email = google.ServiceAccount.ClientEmail }),
            // 40 base64 characters (30 bytes) cut from the key's DER: its lengths no longer add up. Set through the JSON tree:
            // a text replace missed whenever the cut held a '+', which the serializer escapes (\u002B), leaving a valid key.
            _ => WithPrivateKey(google.ServiceAccount.ToJsonKey(), pem.Remove(40, 40)),
        };

        var act = () => Source(key: text);

        var error = act.Should().Throw<SyncFailedException>().Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().Contain("spec.source.googleWorkspace.serviceAccountKeySecretRef").And.Contain("key key.json of Secret google-sa");
        error.Message.Should().NotContain(pem[30..60]).And.NotContain("GOCSPX").And.NotContain("1//refresh");
        error.InnerException.Should().BeNull("a parser's message may quote the key");
    }

    [Theory]
    [InlineData(GoogleFault.UserRateLimitExceeded)]
    [InlineData(GoogleFault.RateLimitExceeded)]
    [InlineData(GoogleFault.QuotaExceeded)]
    [InlineData(GoogleFault.TooManyRequests)]
    [InlineData(GoogleFault.BackendError)]
    public async Task ThrottlingIsBackedOffAndTheReadCompletes(GoogleFault fault)
    {
        var alice = google.AddUser("alice@example.com");
        google.FailNext(3, fault);

        var snapshot = await ReadAsync(Everything with { Groups = false });

        snapshot.Users.Select(u => u.ReferenceId).Should().Contain(alice.Id);
        google.ApiRequests.Count(r => r.Note == $"injected {fault}").Should().Be(3);
    }

    [Theory]
    [InlineData(GoogleFault.UserRateLimitExceeded)]
    [InlineData(GoogleFault.QuotaExceeded)]
    public async Task ThrottlingThatOutlastsTheRetriesIsUnavailableNeverAPermissionProblem(GoogleFault fault)
    {
        google.FailNext(50, fault);

        var error = await FailureAsync(Source());

        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Retryable.Should().BeTrue();
        error.Message.Should().Contain("throttling").And.Contain("after 4 tries");
    }

    [Fact]
    public async Task APermissionProblemIsNotRetried()
    {
        google.Change(() => google.Users.Single().IsAdmin = false);

        await FluentActions.Awaiting(() => ReadAsync()).Should().ThrowAsync<SyncFailedException>();

        google.ApiRequests.Should().ContainSingle().Which.StatusCode.Should().Be(403);
    }

    [Fact]
    public async Task AServerTheTrustStoreDoesNotTrustNamesCaSecretRefAndIsNotRetried()
    {
        var error = await FailureAsync(Source(caPem: null));

        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Retryable.Should().BeFalse();
        error.Message.Should().Contain("token request").And.Contain("spec.source.googleWorkspace.caSecretRef");
        google.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task CancellationStopsTheReadMidway()
    {
        google.MaxPageSize = 1;
        for (var i = 0; i < 20; i++)
        {
            google.AddUser($"user{i}@example.com");
        }

        using var cancellation = new CancellationTokenSource();
        var asked = 0;
        google.OnApiRequest = n =>
        {
            asked = n;
            if (n == 3)
            {
                cancellation.Cancel();
            }
        };

        await FluentActions.Awaiting(() => Source().ReadAsync(Everything, cancellation.Token)).Should().ThrowAsync<OperationCanceledException>();

        // Counted on arrival: the log records a request only once answered, and the third is cut off by the cancel.
        asked.Should().Be(3, "no page is asked for once the read is cancelled (20 users are 20 pages)");
    }

    private sealed class ShiftedClock(TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
    }

    private static string WithPrivateKey(string jsonKey, string privateKey)
    {
        var key = JsonNode.Parse(jsonKey)!.AsObject();
        key["private_key"] = privateKey;
        return key.ToJsonString();
    }
}
