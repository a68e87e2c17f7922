using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Okta;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>Okta → engine → Bitwarden, asserted on the Bitwarden stand-in's organization after each sync.</summary>
public sealed class OktaSyncTests
{
    /// <summary>Every status, three group types, custom attributes; pages of 2 make every list span ≥ 3 pages.</summary>
    internal static OktaSeed Seed(OktaStandInDirectory directory)
    {
        var seed = new OktaSeed(directory);
        directory.AddEveryone();
        seed.Engineering = directory.AddGroup("Engineering", "OKTA_GROUP", seed.Alice, seed.Carol, seed.Dave);
        seed.Sales = directory.AddGroup("Sales", "OKTA_GROUP", seed.Bob, seed.Gina);
        seed.AdAdmins = directory.AddGroup("AD Admins", "APP_GROUP", seed.Henry, seed.Frank);
        return seed;
    }

    [Fact]
    public async Task Syncs_every_status_and_group_type_across_pages()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        var outcome = await harness.SyncAsync();

        outcome.Result.Should().Be(SyncResult.Synced);
        harness.Members.Should().Equal(
            "alice@example.com Invited", "bob@example.com Invited", "carol@example.com Invited", "frank@example.com Invited", "henry@example.com Invited");
        harness.Groups.Should().Equal(
            "AD Admins: frank@example.com henry@example.com",
            "Engineering: alice@example.com carol@example.com",
            "Everyone: alice@example.com bob@example.com carol@example.com frank@example.com henry@example.com",
            "Sales: bob@example.com");
        outcome.Plan!.Members.Should().ContainSingle(m => m.Email == "carol@example.com").Which.Disabled.Should().BeTrue("SUSPENDED is disabled");
        outcome.Plan.Members.Should().ContainSingle(m => m.Email == "gina@example.com").Which.Deleted.Should().BeTrue("DEPROVISIONED is deleted");
        outcome.Plan.Skipped.Select(s => s.Reason).Should().Contain(r => r.Contains("STAGED", StringComparison.Ordinal))
            .And.Contain(r => r.Contains("PROVISIONED in Okta (never activated)", StringComparison.Ordinal));
        var requests = harness.Okta.Requests;
        requests.Count(r => r.Path.StartsWith("/api/v1/users?", StringComparison.Ordinal) && !r.Path.Contains("filter", StringComparison.Ordinal))
            .Should().BeGreaterThanOrEqualTo(3, "pages of 2");
        requests.Should().Contain(r => r.Path.Contains("filter=status%20eq%20%22DEPROVISIONED%22", StringComparison.Ordinal), "the plain list hides DEPROVISIONED users");
        requests.Should().OnlyContain(r => r.Headers["Authorization"] == $"SSWS {harness.Okta.ApiToken}");
    }

    [Fact]
    public async Task Staged_and_provisioned_users_are_invited_when_asked()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        await harness.SyncAsync(harness.Spec(okta: o => o.IncludeUnactivatedUsers = true));

        harness.Members.Should().Contain(["dave@example.com Invited", "erin@example.com Invited"]);
        harness.Groups.Should().Contain("Engineering: alice@example.com carol@example.com dave@example.com");
    }

    [Fact]
    public async Task Each_change_between_syncs_reaches_the_organization()
    {
        await using var harness = await OktaHarness.StartAsync();
        var directory = harness.Okta.Directory;
        var seed = Seed(directory);
        await harness.SyncAsync();

        // Add a user to a group.
        var ivan = directory.AddUser("ivan@example.com");
        directory.AddMember(seed.Sales, ivan);
        await harness.SyncAsync();
        harness.Members.Should().Contain("ivan@example.com Invited");
        harness.Groups.Should().Contain("Sales: bob@example.com ivan@example.com");

        // Suspend: still a member (disabled), removed when removeDisabled is on.
        directory.Suspend(ivan);
        (await harness.SyncAsync()).Plan!.Members.Single(m => m.Email == "ivan@example.com").Disabled.Should().BeTrue();
        harness.Members.Should().Contain("ivan@example.com Invited");

        // Deprovision: removed from the organization.
        directory.Deactivate(ivan);
        await harness.SyncAsync();
        harness.Members.Should().NotContain(m => m.StartsWith("ivan@", StringComparison.Ordinal));
        harness.Groups.Should().Contain("Sales: bob@example.com");

        // Reactivate: back.
        directory.Activate(ivan);
        await harness.SyncAsync();
        harness.Members.Should().Contain("ivan@example.com Invited");
        harness.Groups.Should().Contain("Sales: bob@example.com ivan@example.com");

        // Move between groups.
        directory.RemoveMember(seed.Sales, ivan);
        directory.AddMember(seed.Engineering, ivan);
        await harness.SyncAsync();
        harness.Groups.Should().Contain(["Sales: bob@example.com", "Engineering: alice@example.com carol@example.com ivan@example.com"]);

        // Rename a group: same external id, new name.
        directory.Rename(seed.Engineering, "Platform Engineering");
        await harness.SyncAsync();
        harness.Groups.Should().Contain("Platform Engineering: alice@example.com carol@example.com ivan@example.com")
            .And.NotContain(g => g.StartsWith("Engineering:", StringComparison.Ordinal));

        // Change an email: sent with the same external id, so Bitwarden keeps the one member (it never rewrites a
        // linked member's email: bitwarden-api.md §1.6) and no second invitation goes out.
        var members = harness.Members.Length;
        directory.SetProfile(seed.Bob, "email", "robert@example.com");
        (await harness.SyncAsync()).Plan!.Members.Should().ContainSingle(m => m.ExternalId == seed.Bob.Id).Which.Email.Should().Be("robert@example.com");
        harness.Members.Should().HaveCount(members);
        harness.Bitwarden.Organization.MemberByExternalId(seed.Bob.Id).Should().NotBeNull();

        // Deprovisioned at one sync (removed), deleted before the next: stays out, no longer listed.
        directory.Deactivate(seed.Alice);
        await harness.SyncAsync();
        harness.Members.Should().NotContain(m => m.StartsWith("alice@", StringComparison.Ordinal));
        directory.Delete(seed.Alice);
        (await harness.SyncAsync()).Plan!.Members.Should().NotContain(m => m.ExternalId == seed.Alice.Id);
        harness.Members.Should().NotContain(m => m.StartsWith("alice@", StringComparison.Ordinal));

        // Active, then deactivated and deleted between two syncs: Okta lists it nowhere any more. Like a vanished LDAP
        // entry it is not sent, so the member stays (pruning is a separate option); its groups no longer list it.
        directory.Delete(ivan);
        (await harness.SyncAsync()).Plan!.Members.Should().NotContain(m => m.ExternalId == ivan.Id);
        harness.Members.Should().Contain("ivan@example.com Invited");
        harness.Groups.Should().Contain("Platform Engineering: carol@example.com");
    }

    [Fact]
    public async Task Every_user_status_reaches_the_organization_as_documented()
    {
        await using var harness = await OktaHarness.StartAsync();
        var directory = harness.Okta.Directory;
        foreach (var status in new[] { "ACTIVE", "RECOVERY", "PASSWORD_EXPIRED", "LOCKED_OUT", "SUSPENDED", "STAGED", "PROVISIONED", "DEPROVISIONED" })
        {
            directory.AddUser($"{status.ToLowerInvariant()}@example.com", status: status);
        }

        // profile.email as an admin typed it: padded and in mixed case (profile.login is the sign-in name).
        var mixed = directory.AddUser("mixed@example.com", email: "  Mixed.Case@Example.COM ");
        directory.AddEveryone();

        var outcome = await harness.SyncAsync();

        harness.Members.Should().Equal(
            "active@example.com Invited", "locked_out@example.com Invited", "mixed.case@example.com Invited",
            "password_expired@example.com Invited", "recovery@example.com Invited", "suspended@example.com Invited");
        harness.Bitwarden.Organization.MemberByExternalId(mixed.Id)!.Email.Should().Be("mixed.case@example.com");
        harness.Groups.Should().Equal("Everyone: active@example.com locked_out@example.com mixed.case@example.com password_expired@example.com recovery@example.com suspended@example.com");
        outcome.Plan!.Skipped.Select(s => s.Reason).Should().HaveCount(2).And.OnlyContain(r => r.Contains("never activated", StringComparison.Ordinal));

        // SUSPENDED is a disabled member: kept, and removed from the organization when spec.sync.removeDisabled is on.
        var removeDisabled = harness.Spec();
        removeDisabled.Sync.RemoveDisabled = true;
        await harness.SyncAsync(removeDisabled);

        harness.Members.Should().NotContain("suspended@example.com Invited").And.HaveCount(5);
        harness.Groups.Should().Equal("Everyone: active@example.com locked_out@example.com mixed.case@example.com password_expired@example.com recovery@example.com");
    }

    [Fact]
    public async Task A_user_deleted_in_Okta_between_two_syncs_is_pruned_as_a_vanished_LDAP_entry_is()
    {
        await using var harness = await OktaHarness.StartAsync();
        var directory = harness.Okta.Directory;
        var seed = Seed(directory);
        var spec = harness.Spec();
        spec.Sync.Prune = true;
        await harness.SyncAsync(spec);
        harness.Members.Should().Contain("henry@example.com Invited");

        // Deactivated and deleted between two syncs: Okta lists Henry nowhere, not even as DEPROVISIONED.
        directory.Delete(seed.Henry);
        var outcome = await harness.SyncAsync(spec);

        outcome.Plan!.Members.Should().ContainSingle(m => m.ExternalId == seed.Henry.Id).Which.Deleted.Should().BeTrue("prune sends the managed member as deleted");
        harness.Members.Should().NotContain(m => m.StartsWith("henry@", StringComparison.Ordinal), "prune removes a managed member the directory no longer has");
        harness.Groups.Should().Contain("AD Admins: frank@example.com");
    }

    [Fact]
    public async Task A_second_sync_of_an_unchanged_org_proves_nothing_changed_without_reading_members()
    {
        await using var harness = await OktaHarness.StartAsync();
        var seed = Seed(harness.Okta.Directory);
        await harness.SyncAsync();
        var memberRequests = harness.GroupMemberRequests;
        var imports = harness.Bitwarden.ImportRequests.Count;

        var unchanged = await harness.SyncAsync();

        unchanged.SourceUnchanged.Should().BeTrue();
        harness.GroupMemberRequests.Should().Be(memberRequests, "the cursor proved nothing changed");
        harness.Bitwarden.ImportRequests.Should().HaveCount(imports);

        // A membership change alone moves lastMembershipUpdated: a full read, and the change is posted.
        harness.Okta.Directory.RemoveMember(seed.AdAdmins, seed.Frank);
        var changed = await harness.SyncAsync();
        changed.SourceUnchanged.Should().BeFalse();
        harness.GroupMemberRequests.Should().BeGreaterThan(memberRequests, "a change means a full read");
        harness.Groups.Should().Contain("AD Admins: henry@example.com");
    }

    [Fact]
    public async Task The_cursor_never_hides_a_deleted_user()
    {
        await using var harness = await OktaHarness.StartAsync();
        var directory = harness.Okta.Directory;
        var alice = directory.AddUser("alice@example.com");
        var zed = directory.AddUser("zed@example.com");
        directory.AddGroup("Engineering", "OKTA_GROUP", alice);
        directory.Deactivate(zed);
        await harness.SyncAsync();
        (await harness.SyncAsync()).SourceUnchanged.Should().BeTrue();

        // Zed was DEPROVISIONED at the last sync and is in no group: deleting him moves no timestamp anywhere.
        directory.Delete(zed);
        var afterDelete = await harness.SyncAsync();

        afterDelete.SourceUnchanged.Should().BeFalse();
        afterDelete.Plan!.Members.Should().NotContain(m => m.ExternalId == zed.Id);
        (await harness.SyncAsync()).SourceUnchanged.Should().BeTrue();
    }

    [Theory]
    [InlineData("exclude:alice@example.com", null, "bob carol frank henry", "filter none")]
    [InlineData("include:ALICE@example.com, henry@example.com", null, "alice henry", "filter none")]
    [InlineData("| profile.department eq \"Engineering\"", null, "alice carol", "search")]
    [InlineData("exclude:carol@example.com | profile.department eq \"Engineering\"", null, "alice", "search")]
    [InlineData("| profile.lastName eq \"Example\" and status eq \"ACTIVE\"", null, "alice bob henry", "filter")]
    [InlineData(null, "include:engineering", "alice carol", "filter none")]
    [InlineData(null, "exclude:Everyone,Sales", "alice carol frank henry", "filter none")]
    [InlineData(null, "| type eq \"APP_GROUP\"", "alice bob carol frank henry", "filter none")]
    public async Task Filters_select_members_as_the_original_connector_does(string? users, string? groups, string expectedMembers, string userQuery)
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        await harness.SyncAsync(harness.Spec(users, groups));

        harness.Members.Select(m => m.Split('@')[0]).Should().Equal(expectedMembers.Split(' '));
        var userRequests = harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/v1/users", StringComparison.Ordinal)).ToList();
        switch (userQuery)
        {
            case "search":
                userRequests.Should().OnlyContain(r => r.Path.Contains("search=", StringComparison.Ordinal)).And.OnlyContain(r => r.StatusCode == 200);
                break;
            case "filter":
                userRequests.Should().OnlyContain(r => r.Path.Contains("filter=", StringComparison.Ordinal) && !r.Path.Contains("DEPROVISIONED", StringComparison.Ordinal));
                break;
        }
    }

    [Fact]
    public async Task Group_filters_pick_groups_by_name_and_type()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        await harness.SyncAsync(harness.Spec(groups: "exclude:everyone | type eq \"APP_GROUP\" or type eq \"OKTA_GROUP\""));

        harness.Groups.Should().Equal("AD Admins: frank@example.com henry@example.com", "Engineering: alice@example.com carol@example.com", "Sales: bob@example.com");
        harness.Okta.Requests.Should().Contain(r => r.Path.StartsWith("/api/v1/groups?", StringComparison.Ordinal) && r.Path.Contains("filter=type", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_group_expression_on_the_group_profile_goes_as_search()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        await harness.SyncAsync(harness.Spec(groups: "| profile.name sw \"eng\""));

        harness.Groups.Should().Equal("Engineering: alice@example.com carol@example.com");
        harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/v1/groups?", StringComparison.Ordinal))
            .Should().NotBeEmpty().And.OnlyContain(r => r.Path.Contains("search=profile.name", StringComparison.Ordinal) && r.StatusCode == 200);
    }

    [Fact]
    public async Task An_expression_Okta_rejects_is_InvalidSpec_naming_the_filter_with_Oktas_summary()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);

        var sync = () => harness.SyncAsync(harness.Spec(users: "| profile.department ne \"Sales\""));

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        error.Message.Should().StartWith("spec.filters.users").And.Contain("Invalid search criteria.");
        harness.Bitwarden.ImportRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task A_throttled_sync_ends_identical_to_an_unthrottled_one()
    {
        await using var unthrottled = await OktaHarness.StartAsync();
        Seed(unthrottled.Okta.Directory);
        await unthrottled.SyncAsync();

        var limits = new Dictionary<string, int> { ["/api/v1/users"] = 2, ["/api/v1/groups"] = 2, ["/api/v1/groups/{id}/users"] = 2 };
        await using var throttled = await OktaHarness.StartAsync(new OktaStandInOptions { MaxPageSize = 2, RateLimits = limits });
        Seed(throttled.Okta.Directory);
        throttled.Okta.FailNext(2, 429); // another client of the org spent a bucket
        await throttled.SyncAsync();

        throttled.Members.Should().Equal(unthrottled.Members);
        throttled.Groups.Should().Equal(unthrottled.Groups);
        throttled.Okta.Requests.Count(r => r.StatusCode == 429).Should().BeGreaterThanOrEqualTo(2);
        throttled.Okta.Requests.Should().NotContain(r => r.Note == "rate limited",
            "the client paused when X-Rate-Limit-Remaining reached 0, so no bucket of the org was overrun (the 429s were the injected ones)");
        throttled.Okta.Requests.Count(r => r.Path.StartsWith("/api/v1/groups/", StringComparison.Ordinal) && r.StatusCode == 200)
            .Should().BeGreaterThan(2, "more member requests than one window allows: the client paced itself to the reset");
    }

    [Fact]
    public async Task A_wrong_api_token_is_SourceAuthFailed_naming_tokenSecretRef()
    {
        await using var harness = await OktaHarness.StartAsync();
        harness.References.Secrets[("okta-api", "token")] = "00ThisTokenIsRevoked0000000000000000000000";

        var sync = () => harness.SyncAsync();

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("spec.source.okta.tokenSecretRef").And.Contain("Invalid token provided").And.NotContain("00ThisTokenIsRevoked");
    }

    [Fact]
    public async Task A_token_without_an_admin_role_is_SourceAuthFailed_saying_what_to_grant()
    {
        await using var harness = await OktaHarness.StartAsync(new OktaStandInOptions { ApiTokenLacksPermission = true });

        var sync = () => harness.SyncAsync();

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("Read-only Administrator");
    }

    [Fact]
    public async Task A_service_app_syncs_with_a_private_key_jwt()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta);
        harness.References.Secrets[("okta-app", "private-key")] = key;

        await harness.SyncAsync(harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = "okta-app", Key = "private-key" } };
        }));

        harness.Members.Should().HaveCount(5);
        harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Headers["Authorization"].StartsWith("Bearer ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_service_app_that_requires_DPoP_syncs_with_a_proof_on_every_request()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta, requireDpop: true);
        harness.References.Secrets[("okta-app", "private-key")] = key;
        var spec = harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = "okta-app", Key = "private-key" } };
        });

        await harness.SyncAsync(spec);

        harness.Members.Should().Equal(
            "alice@example.com Invited", "bob@example.com Invited", "carol@example.com Invited", "frank@example.com Invited", "henry@example.com Invited");
        harness.Groups.Should().Contain("AD Admins: frank@example.com henry@example.com");
        var requests = harness.Okta.Requests;
        // As Okta answers (developer.okta.com/docs/guides/dpop): no proof, then a proof without the nonce, then the token.
        requests.Where(r => r.Path == "/oauth2/v1/token").Select(r => r.StatusCode).Should().Equal(400, 400, 200);
        requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.StatusCode == 200 && r.Headers["Authorization"].StartsWith("DPoP ", StringComparison.Ordinal) && r.Headers.ContainsKey("DPoP"));
    }

    [Fact]
    public async Task The_DPoP_nonce_outlives_the_sync_and_a_retired_one_costs_exactly_one_retry()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta, requireDpop: true);
        harness.References.Secrets[("okta-app", "private-key")] = key;
        var spec = harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = "okta-app", Key = "private-key" } };
        });
        var seen = 0;
        List<RecordedRequest> TokenRequestsSinceLastLook()
        {
            var all = harness.Okta.Requests;
            var since = all.Skip(seen).Where(r => r.Path == "/oauth2/v1/token").ToList();
            seen = all.Count;
            return since;
        }

        await harness.SyncAsync(spec);
        TokenRequestsSinceLastLook().Select(r => r.StatusCode).Should().Equal(400, 400, 200);
        var first = harness.Okta.DpopNonce;

        // The next sync (a new source, as the operator builds one per sync) needs a new token (Okta expired the cached
        // one early) and asks with the remembered nonce.
        harness.Okta.ExpireAccessTokens();
        (await harness.SyncAsync(spec)).Result.Should().Be(SyncResult.UpToDate, "the read succeeded and nothing changed in Okta");
        var second = TokenRequestsSinceLastLook();
        second.Should().ContainSingle().Which.StatusCode.Should().Be(200);
        OktaTestKit.ProofNonce(second[0]).Should().Be(first);

        // Okta retired that nonce (three days later): one use_dpop_nonce, one retry with the new nonce.
        harness.Okta.RetireDpopNonces();
        harness.Okta.ExpireAccessTokens();
        (await harness.SyncAsync(spec)).Result.Should().Be(SyncResult.UpToDate, "the read succeeded and nothing changed in Okta");
        var third = TokenRequestsSinceLastLook();
        third.Select(r => r.StatusCode).Should().Equal(400, 200);
        OktaTestKit.ProofNonce(third[0]).Should().Be(first);
        OktaTestKit.ProofNonce(third[1]).Should().Be(harness.Okta.DpopNonce).And.NotBe(first);
        harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal) && r.StatusCode != 200)
            .Should().HaveCount(2, "each expired token is refused once, on the first request of its sync").And.OnlyContain(r => r.StatusCode == 401);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_access_token_outlives_the_sync_so_two_syncs_ask_for_one_token(bool requireDpop)
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var spec = ServiceAppSpec(harness, requireDpop, "okta-app");

        await harness.SyncAsync(spec);
        (await harness.SyncAsync(spec)).Result.Should().Be(SyncResult.UpToDate, "the read succeeded and nothing changed in Okta");

        harness.Okta.Requests.Where(r => r.Path == "/oauth2/v1/token" && r.StatusCode == 200).Should().ContainSingle(
            "Okta's token lasts an hour: the second sync (a new source, as the operator builds one per sync) reuses it");
        var api = harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();
        api.Should().OnlyContain(r => r.StatusCode == 200, "a DPoP-bound token is reused with the proof key it is bound to");
        api.Select(r => r.Headers["Authorization"]).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task A_cached_token_Okta_refuses_is_replaced_by_exactly_one_new_token()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var spec = ServiceAppSpec(harness, requireDpop: false, "okta-app");
        await harness.SyncAsync(spec);
        var before = harness.Okta.Requests.Count;

        // Revoked or expired before its expires_in (Okta's session was cleared): the cached token gets a 401.
        harness.Okta.ExpireAccessTokens();
        (await harness.SyncAsync(spec)).Result.Should().Be(SyncResult.UpToDate);
        await harness.SyncAsync(spec);

        var after = harness.Okta.Requests.Skip(before).ToList();
        after.Where(r => r.Path == "/oauth2/v1/token").Select(r => r.StatusCode).Should().Equal([200], "one renewal after the 401, then the new token is cached for the third sync");
        after.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(r => r.StatusCode).Should().StartWith([401, 200]).And.ContainSingle(code => code == 401);
    }

    [Fact]
    public async Task Another_service_app_or_another_key_never_gets_a_cached_token()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var first = ServiceAppSpec(harness, requireDpop: false, "okta-app");
        var second = ServiceAppSpec(harness, requireDpop: false, "other-app");
        await harness.SyncAsync(first);
        var firstToken = harness.Okta.Requests.First(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Headers["Authorization"];

        // Another app of the same org, in the same process (the operator syncs many DirectorySyncs): its own token.
        await harness.SyncAsync(second);
        harness.Okta.Requests.Where(r => r.Path == "/oauth2/v1/token" && r.StatusCode == 200).Should().HaveCount(2);
        harness.Okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(r => r.Headers["Authorization"]).Distinct().Should().HaveCount(2);

        // The first app's client id with a key that is not the app's (another DirectorySync naming that app): it must
        // ask Okta, which refuses the assertion, instead of reading with the first app's cached token.
        var (_, strangerKey) = OktaTestKit.RegisterServiceApp(harness.Okta);
        harness.References.Secrets[("stranger", "private-key")] = strangerKey;
        var firstClientId = first.Source.Okta!.OAuth!.ClientId;
        var stranger = harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = firstClientId, PrivateKeySecretRef = new() { Name = "stranger", Key = "private-key" } };
        });
        var before = harness.Okta.Requests.Count;

        var sync = () => harness.SyncAsync(stranger);

        (await sync.Should().ThrowAsync<SyncFailedException>()).Which.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        harness.Okta.Requests.Skip(before).Should().NotContain(r => r.Path.StartsWith("/api/", StringComparison.Ordinal));
        harness.Okta.Requests.Skip(before).Should().ContainSingle(r => r.Path == "/oauth2/v1/token").Which.StatusCode.Should().Be(401);
        firstToken.Should().StartWith("Bearer ");
    }

    private static DirectorySyncSpec ServiceAppSpec(OktaHarness harness, bool requireDpop, string secretName)
    {
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta, requireDpop);
        harness.References.Secrets[(secretName, "private-key")] = key;
        return harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = secretName, Key = "private-key" } };
        });
    }

    [Fact]
    public async Task A_nonce_Okta_refuses_again_after_the_retry_fails_the_sync_instead_of_looping()
    {
        await using var harness = await OktaHarness.StartAsync();
        Seed(harness.Okta.Directory);
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta, requireDpop: true);
        harness.References.Secrets[("okta-app", "private-key")] = key;
        var spec = harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = "okta-app", Key = "private-key" } };
        });
        await harness.SyncAsync(spec);
        var before = harness.Okta.Requests.Count;
        // Every nonce is retired as each token request arrives, as when a proxy in front of Okta mangles the proof; the
        // cached token has expired, so the sync must ask for a new one.
        harness.Okta.OnTokenRequest = _ => harness.Okta.RetireDpopNonces();
        harness.Okta.ExpireAccessTokens();

        var sync = () => harness.SyncAsync(spec);

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("DPoP").And.Contain("spec.source.okta.oauth");
        harness.Okta.Requests.Skip(before).Where(r => r.Path == "/oauth2/v1/token").Select(r => r.StatusCode).Should().Equal(400, 400);
        harness.Okta.Requests.Skip(before).Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(r => r.StatusCode)
            .Should().Equal([401], "only the expired token's first request, before the renewal that fails");
    }

    [Fact]
    public async Task A_service_app_missing_a_scope_is_SourceAuthFailed_naming_the_scopes()
    {
        await using var harness = await OktaHarness.StartAsync();
        var (clientId, key) = OktaTestKit.RegisterServiceApp(harness.Okta, "okta.users.read");
        harness.References.Secrets[("okta-app", "private-key")] = key;

        var sync = () => harness.SyncAsync(harness.Spec(okta: o =>
        {
            o.TokenSecretRef = null;
            o.OAuth = new OktaOAuthSpec { ClientId = clientId, PrivateKeySecretRef = new() { Name = "okta-app", Key = "private-key" } };
        }));

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("spec.source.okta.oauth").And.Contain("okta.groups.read").And.NotContain("PRIVATE KEY");
    }

    [Fact]
    public async Task An_untrusted_certificate_is_SourceUnavailable_with_the_cause()
    {
        await using var harness = await OktaHarness.StartAsync();

        var sync = () => harness.SyncAsync(harness.Spec(okta: o => o.CaSecretRef = null));

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Message.Should().Contain("certificate").And.Contain("caSecretRef");
        harness.Okta.Requests.Should().BeEmpty("the TLS handshake failed before any request");
    }

    [Fact]
    public async Task An_unreachable_org_is_SourceUnavailable_naming_orgUrl()
    {
        await using var harness = await OktaHarness.StartAsync();
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();

        var sync = () => harness.SyncAsync(harness.Spec(okta: o => o.OrgUrl = $"https://127.0.0.1:{port}"));

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Message.Should().Contain($"127.0.0.1:{port}").And.Contain("spec.source.okta.orgUrl").And.Contain("refused");
    }

    [Fact]
    public async Task An_org_name_that_does_not_resolve_is_SourceUnavailable_with_the_resolvers_answer()
    {
        await using var harness = await OktaHarness.StartAsync();
        // A 64-character label: the resolver refuses it locally (RFC 1035 §2.3.4 caps labels at 63), so no DNS query leaves the machine.
        var host = new string('x', 64) + ".okta.example";

        var sync = () => harness.SyncAsync(harness.Spec(okta: o => o.OrgUrl = $"https://{host}"));

        var error = (await sync.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Message.Should().Contain(host).And.Contain("spec.source.okta.orgUrl").And.Contain("Name or service not known");
        harness.Bitwarden.ImportRequests.Should().BeEmpty();
    }

    // "Équipe Öst" as the directory holds it (NFC) and as filters may write it: decomposed (NFD, as macOS input
    // gives) in lower case, or precomposed in non-ASCII upper case. RFC 4518 caseIgnoreMatch makes them one name.
    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", "\u00C9quipe \u00D6st: alice@example.com", "alice@example.com Invited")]
    [InlineData("include:\u00C9QUIPE \u00D6ST", "\u00C9quipe \u00D6st: alice@example.com", "alice@example.com Invited")]
    [InlineData("exclude:E\u0301QUIPE O\u0308ST", "Sales: bob@example.com", "bob@example.com Invited")]
    public async Task Group_names_in_filters_match_in_any_normalization_and_case(string groups, string expectedGroup, string expectedMember)
    {
        await using var harness = await OktaHarness.StartAsync();
        var directory = harness.Okta.Directory;
        var alice = directory.AddUser("alice@example.com");
        var bob = directory.AddUser("bob@example.com");
        directory.AddGroup("\u00C9quipe \u00D6st", "OKTA_GROUP", alice);
        directory.AddGroup("Sales", "OKTA_GROUP", bob);

        await harness.SyncAsync(harness.Spec(groups: groups));

        harness.Groups.Should().Equal(expectedGroup);
        harness.Members.Should().Equal(expectedMember);
    }
}
