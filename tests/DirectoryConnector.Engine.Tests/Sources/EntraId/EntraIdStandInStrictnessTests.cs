using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using DirectoryConnector.TestSupport.EntraId;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>
/// The Entra ID stand-in answers raw requests as the documented services do, so the source's tests cannot pass
/// against a laxer server than Microsoft's: the token endpoint per tenant with its AADSTS codes and statuses
/// (learn.microsoft.com/entra/identity-platform/reference-error-codes), and Graph's 400 for unknown $select
/// properties, a $top outside 1..999 and text that is no object id, 404 for unknown ids, 401 for a missing or
/// expired token (learn.microsoft.com/graph/errors), 429 with Retry-After (learn.microsoft.com/graph/throttling).
/// </summary>
public sealed class EntraIdStandInStrictnessTests : EntraIdStandInTest, IDisposable
{
    private HttpClient http = null!;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        SeedTeam();
        var ca = X509Certificate2.CreateFromPem(StandIn.CaPem);
        http = new HttpClient(new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, chain, _) =>
            {
                chain!.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return chain.Build(certificate!);
            },
        });
    }

    public void Dispose() => http.Dispose();

    [Theory]
    [InlineData("{tenant}", "{app}", "{secret}", 200, null, null)]
    [InlineData("contoso.onmicrosoft.com", "{app}", "{secret}", 200, null, null)]
    [InlineData("fabrikam.onmicrosoft.com", "{app}", "{secret}", 400, "invalid_request", 90002)]
    [InlineData("{tenant}", "99999999-9999-4999-8999-999999999999", "{secret}", 400, "unauthorized_client", 700016)]
    [InlineData("{tenant}", "{app}", "the-secret-id-not-its-value", 401, "invalid_client", 7000215)]
    public async Task The_token_endpoint_checks_tenant_application_and_secret_in_that_order(string tenant, string app, string secret, int status, string? error, int? code)
    {
        using var response = await TokenAsync(Fill(tenant), Fill(app), Fill(secret));

        ((int)response.StatusCode).Should().Be(status);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        if (error is null)
        {
            body.RootElement.GetProperty("token_type").GetString().Should().Be("Bearer");
            body.RootElement.GetProperty("expires_in").GetInt32().Should().BePositive();
            return;
        }

        body.RootElement.GetProperty("error").GetString().Should().Be(error);
        body.RootElement.GetProperty("error_description").GetString().Should().StartWith($"AADSTS{code}:");
        body.RootElement.GetProperty("error_codes")[0].GetInt32().Should().Be(code);
        body.RootElement.GetProperty("trace_id").GetString().Should().NotBeNullOrEmpty();
        body.RootElement.GetProperty("correlation_id").GetString().Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_scope_without_default_is_refused()
    {
        using var response = await TokenAsync(StandIn.TenantId, StandIn.ApplicationId, StandIn.ClientSecret, "https://graph.microsoft.com/User.Read.All");

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"invalid_scope\"").And.Contain("AADSTS1002012");
    }

    [Theory]
    [InlineData("users/delta?$select=id,mail,proxyAddress", 400, "Request_BadRequest", "Could not find a property named 'proxyAddress'")]
    [InlineData("users/delta()?%24select=id,mail", 200, null, null)]
    [InlineData("groups/delta?$select=id,displayName,member", 400, "Request_BadRequest", "Could not find a property named 'member'")]
    [InlineData("groups/{eng}/transitiveMembers?$select=id,mial", 400, "Request_BadRequest", "Could not find a property named 'mial'")]
    [InlineData("groups/{eng}/transitiveMembers?$top=1000", 400, "Request_BadRequest", "Must be between 1 and 999")]
    [InlineData("groups/{eng}/transitiveMembers?$top=0", 400, "Request_BadRequest", "Must be between 1 and 999")]
    [InlineData("groups/Engineering/transitiveMembers", 400, "Request_BadRequest", "Invalid object identifier 'Engineering'")]
    [InlineData("groups/00000000-0000-4000-8000-00000000dead/transitiveMembers", 404, "Request_ResourceNotFound", "00000000-0000-4000-8000-00000000dead")]
    [InlineData("directory/administrativeUnits/emea/members", 400, "Request_BadRequest", "Invalid object identifier 'emea'")]
    [InlineData("directory/administrativeUnits/00000000-0000-4000-8000-0000000000a0/members", 404, "Request_ResourceNotFound", "00000000-0000-4000-8000-0000000000a0")]
    public async Task Graph_refuses_what_the_real_service_refuses(string path, int status, string? code, string? message)
    {
        using var response = await GraphAsync(path.Replace("{eng}", IdOf("eng"), StringComparison.Ordinal), await TokenAsync());

        ((int)response.StatusCode).Should().Be(status);
        if (code is not null)
        {
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var error = body.RootElement.GetProperty("error");
            error.GetProperty("code").GetString().Should().Be(code);
            error.GetProperty("message").GetString().Should().Contain(message);
            error.GetProperty("innerError").GetProperty("request-id").GetString().Should().NotBeNullOrEmpty();
        }
    }

    [Fact]
    public async Task Transitive_members_page_by_top_with_absolute_next_links_and_odata_types()
    {
        var token = await TokenAsync();
        var items = new List<string>();
        var pages = 0;
        for (string? next = StandIn.GraphUrl + $"/groups/{IdOf("eng")}/transitiveMembers?$select=id&$top=1"; next is not null; pages++)
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, next) { Headers = { Authorization = new AuthenticationHeaderValue("Bearer", token) } });
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            items.AddRange(body.RootElement.GetProperty("value").EnumerateArray().Select(i => i.GetProperty("@odata.type").GetString() + " " + i.GetProperty("id").GetString()));
            next = body.RootElement.TryGetProperty("@odata.nextLink", out var link) ? link.GetString() : null;
            next?.Should().StartWith(StandIn.GraphUrl.AbsoluteUri);
        }

        pages.Should().Be(2);
        items.Should().BeEquivalentTo($"#microsoft.graph.user {IdOf("alice")}", $"#microsoft.graph.user {IdOf("bob")}");
    }

    [Fact]
    public async Task Missing_expired_and_unknown_tokens_get_401_InvalidAuthenticationToken()
    {
        var token = await TokenAsync();
        using var missing = await GraphAsync("users/delta", null);
        StandIn.ExpireAllTokens();
        using var expired = await GraphAsync("users/delta", token);
        using var unknown = await GraphAsync("users/delta", "not-a-token");

        new[] { missing, expired, unknown }.Should().OnlyContain(r => r.StatusCode == HttpStatusCode.Unauthorized);
        (await expired.Content.ReadAsStringAsync()).Should().Contain("InvalidAuthenticationToken");
    }

    [Fact]
    public async Task A_missing_permission_is_403_Authorization_RequestDenied()
    {
        StandIn.GrantedPermissions.Remove("GroupMember.Read.All");
        StandIn.GrantedPermissions.Remove("Group.Read.All");

        using var response = await GraphAsync("groups/delta", await TokenAsync());

        response.StatusCode.Should().Be(HttpStatusCode.Forbidden);
        (await response.Content.ReadAsStringAsync()).Should().Contain("Authorization_RequestDenied");
    }

    [Fact]
    public async Task Throttling_is_429_with_Retry_After_in_seconds_and_the_TooManyRequests_code()
    {
        StandIn.FailNext(1, 429, retryAfter: "7");

        using var response = await GraphAsync("users/delta", await TokenAsync());

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(7));
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"TooManyRequests\"");
    }

    private string Fill(string text) => text.Replace("{tenant}", StandIn.TenantId, StringComparison.Ordinal)
        .Replace("{app}", StandIn.ApplicationId, StringComparison.Ordinal).Replace("{secret}", StandIn.ClientSecret, StringComparison.Ordinal);

    private Task<HttpResponseMessage> TokenAsync(string tenant, string app, string secret, string? scope = null)
        => http.PostAsync(new Uri(StandIn.BaseUrl, $"/{tenant}/oauth2/v2.0/token"), new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = app,
            ["client_secret"] = secret,
            ["scope"] = scope ?? "https://graph.microsoft.com/.default",
            ["grant_type"] = "client_credentials",
            ["client_info"] = "2",
        }));

    private async Task<string> TokenAsync()
    {
        using var response = await TokenAsync(StandIn.TenantId, StandIn.ApplicationId, StandIn.ClientSecret);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    private Task<HttpResponseMessage> GraphAsync(string path, string? token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, StandIn.GraphUrl + "/" + path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return http.SendAsync(request);
    }
}
