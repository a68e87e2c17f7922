// Test names are sentences.

using System.Net;
using System.Text;
using System.Text.Json;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>The stand-in answers raw requests the way bitwarden-api.md §1.3–1.8 says the server does,
/// including the bodies our client never sends, so client tests can trust it.</summary>
public class BitwardenStandInTests
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task Null_arrays_are_an_unhandled_500_and_a_missing_overwrite_flag_is_a_400()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        var nullGroups = await PostAsync(standIn, """{"groups":null,"members":[],"overwriteExisting":false}""");
        var nullMemberIds = await PostAsync(standIn, """{"groups":[{"name":"G","externalId":"g"}],"members":[],"overwriteExisting":false}""");
        var noOverwrite = await PostAsync(standIn, """{"groups":[],"members":[]}""");

        nullGroups.Status.Should().Be(500);
        nullGroups.Json.GetProperty("message").GetString().Should().Be("An unhandled server error has occurred.");
        nullMemberIds.Status.Should().Be(500);
        noOverwrite.Status.Should().Be(400);
        noOverwrite.Json.GetProperty("message").GetString().Should().Be("The request's model state is invalid.");
        noOverwrite.Json.GetProperty("errors").GetProperty("OverwriteExisting")[0].GetString().Should().Be("The OverwriteExisting field is required.");
    }

    [Fact]
    public async Task Member_emails_follow_the_model_validation()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        var enabledWithoutEmail = await PostAsync(standIn, """{"groups":[],"members":[{"email":null,"externalId":"u1","deleted":false}],"overwriteExisting":false}""");
        var deletedWithoutEmail = await PostAsync(standIn, """{"groups":[],"members":[{"email":null,"externalId":"u1","deleted":true}],"overwriteExisting":false}""");
        var deletedWithEmptyEmail = await PostAsync(standIn, """{"groups":[],"members":[{"email":"","externalId":"u1","deleted":true}],"overwriteExisting":false}""");
        var tooLong = await PostAsync(standIn, $$"""{"groups":[],"members":[{"email":"{{new string('a', 251)}}@x.com","externalId":"u1"}],"overwriteExisting":false}""");

        enabledWithoutEmail.Json.GetProperty("errors").GetProperty("Members[0].Email")[0].GetString().Should().Be("Email is required for enabled members.");
        deletedWithoutEmail.Status.Should().Be(200);
        deletedWithEmptyEmail.Json.GetProperty("errors").GetProperty("Members[0].Email")[0].GetString().Should().Be("The Email field is not a valid e-mail address.");
        tooLong.Json.GetProperty("errors").GetProperty("Members[0].Email")[0].GetString().Should().Contain("maximum length of 256");
    }

    [Fact]
    public async Task Duplicate_emails_and_duplicate_group_ids_are_unhandled_500s_after_earlier_steps_committed()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        var duplicateEmails = await PostAsync(standIn,
            """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1"},{"email":"A@x.com","externalId":"u2"}],"overwriteExisting":false}""");
        var duplicateGroups = await PostAsync(standIn,
            """{"groups":[{"name":"G","externalId":"g","memberExternalIds":[]},{"name":"H","externalId":"g","memberExternalIds":[]}],"members":[{"email":"b@x.com","externalId":"u3"}],"overwriteExisting":false}""");

        duplicateEmails.Status.Should().Be(500);
        duplicateGroups.Status.Should().Be(500);
        standIn.Organization.Members.Select(m => m.Email).Should().Equal(["b@x.com"], "the import is not transactional: members were added before the groups failed");
        standIn.Organization.Groups.Should().BeEmpty();
    }

    [Fact]
    public async Task Two_emails_with_one_external_id_leave_the_organization_failing_every_import()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        const string Clash = """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1"},{"email":"b@x.com","externalId":"u1"}],"overwriteExisting":false}""";

        var first = await PostAsync(standIn, Clash);
        var next = await PostAsync(standIn, """{"groups":[],"members":[{"email":"c@x.com","externalId":"u9"}],"overwriteExisting":false}""");

        first.Status.Should().Be(200, "the server invites both and answers 200");
        standIn.Organization.Members.Where(m => m.ExternalId == "u1").Should().HaveCount(2);
        next.Status.Should().Be(500);
        standIn.Requests[^1].Note.Should().Contain("share the external id 'u1'");
    }

    [Fact]
    public async Task Existing_members_are_linked_by_case_sensitive_email_and_unknown_group_members_dropped()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var erin = standIn.Organization.AddMember("Erin@x.com");
        var fay = standIn.Organization.AddMember("fay@x.com");

        var result = await PostAsync(standIn, """
            {"groups":[{"name":"G","externalId":"g","memberExternalIds":["u-erin","u-fay","u-nobody"]}],
             "members":[{"email":"Erin@x.com","externalId":"u-erin"},{"email":"fay@x.com","externalId":"u-fay"}],"overwriteExisting":false}
            """);

        result.Status.Should().Be(200);
        standIn.Organization.Members.Should().HaveCount(2, "erin is neither linked (case differs) nor invited twice");
        standIn.Organization.Members.Single(m => m.Id == erin.Id).ExternalId.Should().BeNull();
        standIn.Organization.Members.Single(m => m.Id == fay.Id).ExternalId.Should().Be("u-fay");
        standIn.Organization.MemberExternalIdsOf(standIn.Organization.GroupByExternalId("g")!).Should().Equal("u-fay");
    }

    [Fact]
    public async Task Deleted_entries_remove_members_but_never_owners_nor_members_without_an_external_id()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var owner = standIn.Organization.AddMember("boss@x.com", "u-boss", StandInMemberType.Owner);
        var manual = standIn.Organization.AddMember("manual@x.com");
        standIn.Organization.AddMember("leaver@x.com", "u-leaver");

        var result = await PostAsync(standIn, """
            {"groups":[],"members":[{"email":"boss@x.com","externalId":"u-boss","deleted":true},
             {"email":"manual@x.com","externalId":"u-manual","deleted":true},{"email":"leaver@x.com","externalId":"u-leaver","deleted":true}],
             "overwriteExisting":false}
            """);

        result.Status.Should().Be(200);
        standIn.Organization.Members.Select(m => m.Id).Should().BeEquivalentTo([owner.Id, manual.Id]);
    }

    [Fact]
    public async Task Seats_autoscale_in_the_cloud_up_to_the_ceiling_and_never_self_hosted()
    {
        await using var cloud = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
        cloud.Organization.Seats = 2; // one is the founding owner's
        cloud.Organization.MaxAutoscaleSeats = 3;

        var grows = await PostAsync(cloud, """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1"},{"email":"b@x.com","externalId":"u2"}],"overwriteExisting":false}""");
        var capped = await PostAsync(cloud, """{"groups":[],"members":[{"email":"c@x.com","externalId":"u3"}],"overwriteExisting":false}""");

        grows.Status.Should().Be(200);
        cloud.Organization.Seats.Should().Be(3);
        capped.Json.GetProperty("message").GetString().Should().Be("Seat limit has been reached.");
    }

    [Fact]
    public async Task Staged_members_are_created_without_invitations_when_the_feature_is_on()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { StagedStatusFeature = true });

        await PostAsync(standIn, """{"groups":[],"members":[{"email":"a@x.com","externalId":"u1"}],"overwriteExisting":false,"inviteUsersAfterProvisioning":false}""");

        standIn.Organization.Members.Should().ContainSingle().Which.Status.Should().Be(StandInMemberStatus.Staged);
    }

    [Fact]
    public async Task Rate_limiting_answers_429_with_retry_after()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { RateLimitPerSecond = 2 });
        var token = await TokenAsync(standIn);

        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;
        for (var i = 0; i < 3; i++)
        {
            last?.Dispose();
            last = await Http.SendAsync(ImportMessage(standIn, token, """{"groups":[],"members":[],"overwriteExisting":false}"""));
            statuses.Add(last.StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        last!.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(1));
        last.Dispose();
    }

    [Fact]
    public async Task Tokens_need_the_right_key_and_in_vaultwarden_mode_the_device_fields()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { RequireDeviceFields = true });
        var noDevice = $"grant_type=client_credentials&scope=api.organization&client_id={standIn.ClientId}&client_secret={standIn.ClientSecret}";

        var missingDevice = await FormAsync(standIn, noDevice);
        var wrongSecret = await FormAsync(standIn, "grant_type=client_credentials&scope=api.organization&client_id=" + standIn.ClientId
            + "&client_secret=nope&device_identifier=d&device_name=n&device_type=8");
        var noToken = await Http.SendAsync(ImportMessage(standIn, "forged", """{"groups":[],"members":[],"overwriteExisting":false}"""));

        missingDevice.Status.Should().Be(400);
        missingDevice.Json.GetProperty("message").GetString().Should().Be("device_identifier cannot be blank");
        wrongSecret.Status.Should().Be(400);
        wrongSecret.Json.GetProperty("error").GetString().Should().Be("invalid_client");
        noToken.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    private static async Task<(int Status, JsonElement Json)> PostAsync(BitwardenStandIn standIn, string body)
    {
        using var response = await Http.SendAsync(ImportMessage(standIn, await TokenAsync(standIn), body));
        var text = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone());
    }

    private static HttpRequestMessage ImportMessage(BitwardenStandIn standIn, string token, string body)
    {
        var message = new HttpRequestMessage(HttpMethod.Post, standIn.ImportUrl)
        {
            Content = new StringContent(body, Encoding.UTF8, "application/json"),
        };
        message.Headers.Authorization = new("Bearer", token);
        return message;
    }

    private static async Task<string> TokenAsync(BitwardenStandIn standIn)
    {
        var (status, json) = await FormAsync(standIn, $"grant_type=client_credentials&scope=api.organization&client_id={standIn.ClientId}"
            + $"&client_secret={Uri.EscapeDataString(standIn.ClientSecret)}&deviceType=8&deviceIdentifier={Guid.NewGuid()}&deviceName=test");
        status.Should().Be(200);
        return json.GetProperty("access_token").GetString()!;
    }

    private static async Task<(int Status, JsonElement Json)> FormAsync(BitwardenStandIn standIn, string form)
    {
        using var content = new StringContent(form, Encoding.UTF8, "application/x-www-form-urlencoded");
        using var response = await Http.PostAsync(standIn.TokenUrl, content);
        return ((int)response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
