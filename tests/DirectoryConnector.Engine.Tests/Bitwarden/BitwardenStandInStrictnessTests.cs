// Test names are sentences.

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>The stand-in fails where bitwarden/server's ImportOrganizationUsersAndGroupsCommand, Duende and the public
/// controllers fail, so the client's conflict checks are tested against the real failure modes.</summary>
public sealed class BitwardenStandInStrictnessTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task An_email_relinked_to_a_taken_external_id_fails_every_import_with_500()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.Organization.AddMember("old@x.com", "u1");
        standIn.Organization.AddMember("new@x.com", status: StandInMemberStatus.Invited, hasMasterPassword: false);
        const string Body = """{"groups":[],"members":[{"email":"new@x.com","externalId":"u1"},{"email":"c@x.com","externalId":"u3"}],"overwriteExisting":false}""";

        (await PostAsync(standIn, Body)).Should().Be(500);
        (await PostAsync(standIn, Body)).Should().Be(500);
        standIn.Organization.Members.Should().HaveCount(2, "the invite step never ran");
    }

    [Fact]
    public async Task Overwrite_with_a_deleted_invited_member_is_refused_after_it_was_removed()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.Organization.AddMember("a@x.com", "u-a");
        standIn.Organization.AddMember("inv@x.com", "u-inv", status: StandInMemberStatus.Invited, hasMasterPassword: false);

        var status = await PostAsync(standIn, """{"groups":[],"members":[{"email":"a@x.com","externalId":"u-a"},{"email":"inv@x.com","externalId":"u-inv","deleted":true}],"overwriteExisting":true}""");

        status.Should().Be(400);
        standIn.Requests[^1].Body.Should().Contain("inv@x.com");
        standIn.Organization.Members.Select(m => m.Email).Should().Equal(["a@x.com"], "step 1 removed it before step 2 counted it again");
    }

    [Fact]
    public async Task Null_for_a_non_nullable_field_is_a_model_state_400()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        var status = await PostAsync(standIn, """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1","deleted":null}],"overwriteExisting":false}""");

        status.Should().Be(400);
        standIn.Organization.Members.Should().BeEmpty();
    }

    [Fact]
    public async Task Invitations_need_a_confirmed_owner()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.Organization.SetStatus(standIn.Organization.FoundingOwner.Id, StandInMemberStatus.Invited, hasMasterPassword: false);

        var status = await PostAsync(standIn, """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1"}],"overwriteExisting":false}""");

        status.Should().Be(400);
        standIn.Requests[^1].StatusCode.Should().Be(400);
        standIn.Organization.Members.Should().BeEmpty();
    }

    [Fact]
    public async Task Model_state_errors_stop_at_200()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var members = string.Join(",", Enumerable.Range(0, 300).Select(i => $$"""{"email":"bad{{i}}","externalId":"u{{i}}"}"""));

        using var response = await Http.SendAsync(Import(standIn, await TokenAsync(standIn), $$"""{"groups":[],"members":[{{members}}],"overwriteExisting":false}"""));
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");

        errors.EnumerateObject().Sum(e => e.Value.GetArrayLength()).Should().Be(200);
        errors.GetProperty("")[0].GetString().Should().Be("The maximum number of allowed model errors has been reached.");
    }

    [Fact]
    public async Task Token_fields_need_their_oauth_names_and_the_organization_prefix_its_case()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var id = standIn.ClientId["organization.".Length..];
        var secret = Uri.EscapeDataString(standIn.ClientSecret);

        (await TokenStatusAsync(standIn, $"grant_type=client_credentials&scope=api.organization&client_id=organization.{id.ToUpperInvariant()}&client_secret={secret}")).Should().Be(200);
        (await TokenStatusAsync(standIn, $"grantType=client_credentials&scope=api.organization&client_id={standIn.ClientId}&client_secret={secret}")).Should().Be(400);
        (await TokenStatusAsync(standIn, $"grant_type=client_credentials&scope=api.organization&clientId={standIn.ClientId}&clientSecret={secret}")).Should().Be(400);
        (await TokenStatusAsync(standIn, $"grant_type=client_credentials&scope=api.organization&client_id=Organization.{id}&client_secret={secret}")).Should().Be(400);
    }

    [Fact]
    public async Task The_cloud_allows_ten_token_requests_a_minute()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { CloudRateLimits = true, SelfHosted = false });
        var form = $"grant_type=client_credentials&scope=api.organization&client_id={standIn.ClientId}&client_secret={Uri.EscapeDataString(standIn.ClientSecret)}";

        var statuses = new List<int>();
        for (var i = 0; i < 11; i++)
        {
            statuses.Add(await TokenStatusAsync(standIn, form));
        }

        statuses.Take(10).Should().OnlyContain(s => s == 200);
        statuses[10].Should().Be(429);
    }

    [Fact]
    public async Task The_public_api_lists_members_and_groups_and_deletes_them_with_the_servers_answers()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var ann = standIn.Organization.AddMember("ann@x.com", "u-ann");
        var group = standIn.Organization.AddGroup("Dev", "g-dev", ann);
        var token = await TokenAsync(standIn);

        using var list = await Http.SendAsync(Request(HttpMethod.Get, new Uri(standIn.BaseUrl.AbsoluteUri.TrimEnd('/') + "/api/public/members"), token));
        var json = JsonDocument.Parse(await list.Content.ReadAsStringAsync()).RootElement;
        json.GetProperty("object").GetString().Should().Be("list");
        json.GetProperty("data").EnumerateArray().Select(m => (m.GetProperty("email").GetString(), m.GetProperty("type").GetInt32()))
            .Should().BeEquivalentTo([("owner@org.example", 0), ("ann@x.com", 2)]);

        (await StatusAsync(HttpMethod.Delete, $"/api/public/groups/{group.Id}", token)).Should().Be(200);
        (await StatusAsync(HttpMethod.Delete, $"/api/public/groups/{group.Id}", token)).Should().Be(404);
        (await StatusAsync(HttpMethod.Delete, $"/api/public/members/{standIn.Organization.FoundingOwner.Id}", token)).Should().Be(400, "the last confirmed owner");
        (await StatusAsync(HttpMethod.Delete, "/api/public/members/not-a-guid", token)).Should().Be(400);
        (await StatusAsync(HttpMethod.Get, "/api/public/groups", "forged")).Should().Be(401);

        async Task<int> StatusAsync(HttpMethod method, string path, string bearer)
        {
            using var response = await Http.SendAsync(Request(method, new Uri(standIn.BaseUrl.AbsoluteUri.TrimEnd('/') + path), bearer));
            return (int)response.StatusCode;
        }
    }

    private static HttpRequestMessage Request(HttpMethod method, Uri url, string token)
    {
        var message = new HttpRequestMessage(method, url);
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return message;
    }

    private static HttpRequestMessage Import(BitwardenStandIn standIn, string token, string body)
    {
        var message = Request(HttpMethod.Post, standIn.ImportUrl, token);
        message.Content = new StringContent(body, Encoding.UTF8, "application/json");
        return message;
    }

    private static async Task<int> PostAsync(BitwardenStandIn standIn, string body)
    {
        using var response = await Http.SendAsync(Import(standIn, await TokenAsync(standIn), body));
        return (int)response.StatusCode;
    }

    private static async Task<int> TokenStatusAsync(BitwardenStandIn standIn, string form)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.PostAsync(standIn.TokenUrl, content);
        return (int)response.StatusCode;
    }

    private static async Task<string> TokenAsync(BitwardenStandIn standIn)
    {
        using var content = new StringContent($"grant_type=client_credentials&scope=api.organization&client_id={standIn.ClientId}&client_secret={Uri.EscapeDataString(standIn.ClientSecret)}",
            Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.PostAsync(standIn.TokenUrl, content);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("access_token").GetString()!;
    }
}
