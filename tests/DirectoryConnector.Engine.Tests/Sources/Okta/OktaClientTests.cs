using System.Net;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport.Okta;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>The typed client against the loopback Okta stand-in: auth, Link paging, filter/search, errors.</summary>
public sealed class OktaClientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Follows_next_links_through_every_page(bool combinedLinkHeader)
    {
        await using var okta = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 2, CombineLinkHeaders = combinedLinkHeader });
        for (var i = 0; i < 7; i++)
        {
            okta.Directory.AddUser($"user{i}@example.com");
        }

        var users = await OktaTestKit.Client(okta).ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?limit=200"), OktaJsonContext.Default.ListOktaUser, OktaTestKit.Token(okta), CancellationToken.None);

        users.Select(u => u.Profile!.Email).Should().Equal(Enumerable.Range(0, 7).Select(i => $"user{i}@example.com"));
        var pages = okta.Requests.Where(r => r.Path.StartsWith("/api/v1/users", StringComparison.Ordinal)).ToList();
        pages.Should().HaveCount(4, "7 users in pages of 2");
        pages.Skip(1).Should().OnlyContain(r => r.Path.Contains("after=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_plain_list_hides_deprovisioned_users_and_a_filter_returns_them()
    {
        await using var okta = await OktaStandIn.StartAsync();
        okta.Directory.AddUser("active@example.com");
        okta.Directory.Deactivate(okta.Directory.AddUser("gone@example.com"));
        var client = OktaTestKit.Client(okta);

        var plain = await client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users"), OktaJsonContext.Default.ListOktaUser, OktaTestKit.Token(okta), CancellationToken.None);
        var deprovisioned = await client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?filter=" + Uri.EscapeDataString("status eq \"DEPROVISIONED\"")), OktaJsonContext.Default.ListOktaUser,
            OktaTestKit.Token(okta), CancellationToken.None);

        plain.Select(u => u.Profile!.Email).Should().Equal("active@example.com");
        deprovisioned.Select(u => (u.Profile!.Email, u.Status)).Should().Equal(("gone@example.com", "DEPROVISIONED"));
    }

    [Fact]
    public async Task Filter_on_a_profile_attribute_is_rejected_as_Okta_does_and_search_accepts_it()
    {
        await using var okta = await OktaStandIn.StartAsync();
        okta.Directory.AddUser("eng@example.com", profile: new Dictionary<string, string?> { ["department"] = "Engineering" });
        okta.Directory.AddUser("sales@example.com", profile: new Dictionary<string, string?> { ["department"] = "Sales" });
        var client = OktaTestKit.Client(okta);
        var expression = Uri.EscapeDataString("profile.department eq \"Engineering\"");

        var filter = () => client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?filter=" + expression), OktaJsonContext.Default.ListOktaUser, OktaTestKit.Token(okta), CancellationToken.None);
        var searched = await client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?search=" + expression), OktaJsonContext.Default.ListOktaUser, OktaTestKit.Token(okta), CancellationToken.None);

        var error = (await filter.Should().ThrowAsync<OktaApiException>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        error.ErrorCode.Should().Be("E0000031");
        error.Summary.Should().StartWith("Invalid search criteria.");
        searched.Select(u => u.Profile!.Email).Should().Equal("eng@example.com");
    }

    [Theory]
    [InlineData("profile.email co \"@example\"", 200)]
    [InlineData("profile.login co \"eng\"", 200)]
    [InlineData("profile.department co \"Eng\"", 400)]
    [InlineData("profile.department sw \"Eng\"", 200)]
    [InlineData("profile.department ne \"Sales\"", 400)]
    public async Task Search_takes_co_only_on_names_email_and_login_and_never_ne(string expression, int expected)
    {
        await using var okta = await OktaStandIn.StartAsync();
        okta.Directory.AddUser("eng@example.com", profile: new Dictionary<string, string?> { ["department"] = "Engineering" });

        var search = () => OktaTestKit.Client(okta).ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?search=" + Uri.EscapeDataString(expression)), OktaJsonContext.Default.ListOktaUser, OktaTestKit.Token(okta), CancellationToken.None);

        if (expected == 200)
        {
            (await search()).Select(u => u.Profile!.Email).Should().Equal("eng@example.com");
        }
        else
        {
            (await search.Should().ThrowAsync<OktaApiException>()).Which.ErrorCode.Should().Be("E0000031");
        }
    }

    [Theory]
    [InlineData("profile.department eq \"Engineering\"", "search")]
    [InlineData("profile.email eq \"a@example.com\" or profile.lastName eq \"Kim\"", "filter")]
    [InlineData("status eq \"ACTIVE\" and lastUpdated gt \"2026-01-01T00:00:00.000Z\"", "filter")]
    [InlineData("profile.firstName sw \"Al\"", "search")]
    [InlineData("(profile.login eq \"x\") and profile.costCenter eq \"eq status\"", "search")]
    [InlineData("profile.login eq \"profile.department eq \\\"x\\\"\"", "filter")]
    public void Chooses_filter_only_for_what_filter_supports(string expression, string expected) =>
        OktaExpressionKind.ForUsers(expression).Should().Be(expected);

    [Theory]
    [InlineData("type eq \"APP_GROUP\"", "filter")]
    [InlineData("lastMembershipUpdated gt \"2026-01-01T00:00:00.000Z\"", "filter")]
    [InlineData("profile.name sw \"Eng\"", "search")]
    public void Chooses_filter_or_search_for_groups(string expression, string expected) =>
        OktaExpressionKind.ForGroups(expression).Should().Be(expected);

    [Fact]
    public async Task A_wrong_api_token_is_401_E0000011()
    {
        await using var okta = await OktaStandIn.StartAsync();
        var list = () => OktaTestKit.Client(okta).ListAsync(new Uri(okta.OrgUrl, "/api/v1/users"), OktaJsonContext.Default.ListOktaUser, new OktaApiToken("00wrong"), CancellationToken.None);

        var error = (await list.Should().ThrowAsync<OktaApiException>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        error.ErrorCode.Should().Be("E0000011");
        error.Message.Should().NotContain("00wrong");
    }

    [Fact]
    public async Task A_service_app_gets_a_bearer_token_with_a_signed_client_assertion()
    {
        await using var okta = await OktaStandIn.StartAsync();
        okta.Directory.AddUser("alice@example.com");
        var (clientId, key) = OktaTestKit.RegisterServiceApp(okta);
        var app = OktaTestKit.ServiceApp(okta, clientId, key);

        var users = await OktaTestKit.Client(okta).ListAsync(new Uri(okta.OrgUrl, "/api/v1/users"), OktaJsonContext.Default.ListOktaUser, app, CancellationToken.None);

        users.Should().ContainSingle();
        okta.Requests.Where(r => r.Path.StartsWith("/api/v1/users", StringComparison.Ordinal)).Should().OnlyContain(r => r.Headers["Authorization"].StartsWith("Bearer ", StringComparison.Ordinal));
        okta.Requests.Should().ContainSingle(r => r.Path == "/oauth2/v1/token" && r.StatusCode == 200);
    }

    [Fact]
    public async Task A_service_app_that_requires_DPoP_renews_its_bound_token_with_the_nonce_it_was_given()
    {
        await using var okta = await OktaStandIn.StartAsync();
        okta.Directory.AddUser("alice@example.com");
        var (clientId, key) = OktaTestKit.RegisterServiceApp(okta, requireDpop: true);
        var app = OktaTestKit.ServiceApp(okta, clientId, key);
        var client = OktaTestKit.Client(okta);
        await client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?limit=200"), OktaJsonContext.Default.ListOktaUser, app, CancellationToken.None);

        okta.ExpireAccessTokens();
        var users = await client.ListAsync(new Uri(okta.OrgUrl, "/api/v1/users?limit=200"), OktaJsonContext.Default.ListOktaUser, app, CancellationToken.None);

        users.Select(u => u.Profile!.Email).Should().Equal("alice@example.com");
        // First token: no proof, a proof without the nonce, then the token; renewal after the 401 goes straight through.
        okta.Requests.Where(r => r.Path == "/oauth2/v1/token").Select(r => r.StatusCode).Should().Equal(400, 400, 200, 200);
        okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).Select(r => r.StatusCode).Should().Equal(200, 401, 200);
        okta.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal))
            .Should().OnlyContain(r => r.Headers["Authorization"].StartsWith("DPoP ", StringComparison.Ordinal) && r.Headers.ContainsKey("DPoP"));
    }

    [Fact]
    public async Task A_client_assertion_signed_with_another_key_is_invalid_client()
    {
        await using var okta = await OktaStandIn.StartAsync();
        var (clientId, _) = OktaTestKit.RegisterServiceApp(okta);
        var (_, otherKey) = OktaTestKit.RegisterServiceApp(okta);
        var app = OktaTestKit.ServiceApp(okta, clientId, otherKey);

        var list = () => OktaTestKit.Client(okta).ListAsync(new Uri(okta.OrgUrl, "/api/v1/users"), OktaJsonContext.Default.ListOktaUser, app, CancellationToken.None);

        var error = (await list.Should().ThrowAsync<OktaApiException>()).Which;
        error.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        error.ErrorCode.Should().Be("invalid_client");
        error.Summary.Should().Contain("signature is invalid");
    }

    [Fact]
    public void A_next_link_to_another_origin_is_refused()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK);
        response.Headers.TryAddWithoutValidation("Link", "<https://evil.example.com/api/v1/users?after=x>; rel=\"next\"");

        var next = () => OktaClient.NextLink(response, new Uri("https://example.okta.com/api/v1/users"));

        next.Should().Throw<OktaApiException>().WithMessage("*evil.example.com*not to the org URL*");
    }
}
