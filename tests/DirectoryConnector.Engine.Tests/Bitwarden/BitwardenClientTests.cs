using DirectoryConnector.TestSupport;
// Test names are sentences.

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.AspNetCore.WebUtilities;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>The real client against the loopback stand-in over HTTP.</summary>
public class BitwardenClientTests
{
    private static readonly OrganizationImportRequest AnnAndBob = Request([Member("ann"), Member("bob")], [new ImportGroupRequest("Dev", "cn=Dev", ["uid=ann,ou=People"])]);

    [UpstreamConformanceFact]
    public async Task Token_and_import_requests_carry_the_fields_and_headers_the_original_connector_sends()
    {
        // Vaultwarden mode: the token request fails unless the device fields are present.
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { RequireDeviceFields = true });
        var captured = File.ReadAllLines(UpstreamFixtures.File("captured/run1-login-and-first-sync.requests.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var capturedToken = captured.First(r => r.GetProperty("url").GetString()!.EndsWith("/connect/token", StringComparison.Ordinal));
        var capturedImport = captured.First(r => r.GetProperty("url").GetString()!.EndsWith("/organization/import", StringComparison.Ordinal));

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var token = standIn.TokenRequests.Should().ContainSingle().Subject;
        var form = QueryHelpers.ParseQuery(token.Body);
        var capturedForm = QueryHelpers.ParseQuery(capturedToken.GetProperty("body").GetString());
        form.Keys.Should().Equal(capturedForm.Keys, "the form fields and their order match the capture");
        form["grant_type"].ToString().Should().Be("client_credentials");
        form["scope"].ToString().Should().Be("api.organization");
        form["client_id"].ToString().Should().Be(standIn.ClientId);
        Guid.TryParse(form["deviceIdentifier"], out _).Should().BeTrue();
        token.Headers["Content-Type"].Should().Be(capturedToken.GetProperty("headers").GetProperty("content-type").GetString());
        token.Headers["Accept"].Should().Be("application/json");
        token.Headers["Device-Type"].Should().Be(form["deviceType"].ToString());

        var import = standIn.ImportRequests.Should().ContainSingle().Subject;
        import.StatusCode.Should().Be(200);
        import.Headers["Content-Type"].Should().Be(capturedImport.GetProperty("headers").GetProperty("content-type").GetString());
        import.Headers["Authorization"].Should().StartWith("Bearer ey");
        var body = JsonDocument.Parse(import.Body).RootElement;
        var capturedBody = JsonDocument.Parse(capturedImport.GetProperty("body").GetString()!).RootElement;
        Names(body).Should().Equal(Names(capturedBody));
        Names(body.GetProperty("groups")[0]).Should().Equal(Names(capturedBody.GetProperty("groups")[0]));
        Names(body.GetProperty("members")[0]).Should().Equal(Names(capturedBody.GetProperty("members")[0]));
    }

    [Fact]
    public async Task The_device_identifier_is_stable_across_clients_and_restarts()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);
        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.TokenRequests.Select(r => QueryHelpers.ParseQuery(r.Body)["deviceIdentifier"].ToString()).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task The_token_is_requested_once_for_several_imports()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var client = Client();

        for (var i = 0; i < 3; i++)
        {
            await client.ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);
        }

        standIn.TokenRequests.Should().ContainSingle();
        standIn.ImportRequests.Should().HaveCount(3).And.OnlyContain(r => r.StatusCode == 200);
    }

    [Fact]
    public async Task The_token_cache_is_shared_between_client_instances_like_transient_typed_clients()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var tokens = new BitwardenTokenCache();

        await Client(tokens: tokens).ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);
        await Client(tokens: tokens).ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.TokenRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task An_expired_token_is_replaced_and_the_import_retried_once()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var client = Client();
        await client.ImportAsync(Endpoints(standIn), Key(standIn), [Request([Member("ann")])], CancellationToken.None);

        standIn.ExpireAllTokens();
        await client.ImportAsync(Endpoints(standIn), Key(standIn), [Request([Member("ann"), Member("bob")])], CancellationToken.None);

        standIn.TokenRequests.Should().HaveCount(2);
        standIn.ImportRequests.Select(r => r.StatusCode).Should().Equal(200, 401, 200);
        MemberSummary(standIn).Should().Equal("ann@corp.example.com Invited", "bob@corp.example.com Invited");
    }

    [Fact]
    public async Task A_fresh_token_that_is_refused_too_is_auth_failed_after_one_retry()
    {
        // Tokens that expire at once stand for an API URL and identity URL that belong to different servers.
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { TokenLifetime = TimeSpan.Zero });

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenAuthFailed);
        failure.Message.Should().Contain("401").And.Contain("spec.bitwarden.apiUrl");
        standIn.ImportRequests.Select(r => r.StatusCode).Should().Equal(401, 401);
        standIn.TokenRequests.Should().HaveCount(2);
    }

    [Theory]
    [InlineData("Members[1].Email", "member 'bob@corp.example.com', externalId 'uid=bob,ou=People'")]
    [InlineData("$.members[0].deleted", "member 'ann@corp.example.com', externalId 'uid=ann,ou=People'")]
    [InlineData("Groups[0].ExternalId", "group 'Dev', externalId 'cn=Dev'")]
    [InlineData("Members[7].Email", null)]
    [InlineData("OverwriteExisting", null)]
    public void Model_state_keys_are_traced_to_the_entry_they_name(string field, string? entry)
    {
        BitwardenClient.EntryAt(AnnAndBob, field).Should().Be(entry);
    }

    [Fact]
    public async Task A_rejected_api_key_is_auth_failed_without_the_secret_in_message_or_logs()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var logger = new ListLogger<BitwardenClient>();
        const string wrongSecret = "wrongSecretThatMustNotLeak42";

        var act = () => Client(logger: logger).ImportAsync(Endpoints(standIn), new OrganizationApiKey(standIn.ClientId, wrongSecret), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenAuthFailed);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("organization API key was rejected").And.Contain("invalid_client").And.NotContain(wrongSecret);
        failure.ToString().Should().NotContain(wrongSecret);
        logger.Lines.Should().NotContain(line => line.Contains(wrongSecret, StringComparison.Ordinal));
        standIn.TokenRequests.Should().ContainSingle("a rejected key is not retried");
        standIn.ImportRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task Logs_never_contain_the_secret_or_the_access_token()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var logger = new ListLogger<BitwardenClient>();
        standIn.FailNext(1, 503);

        await Client(logger: logger).ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var accessToken = standIn.ImportRequests[^1].Headers["Authorization"]["Bearer ".Length..];
        logger.Lines.Should().NotBeEmpty();
        logger.Lines.Should().NotContain(line => line.Contains(standIn.ClientSecret, StringComparison.Ordinal) || line.Contains(accessToken, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validation_errors_name_the_field_and_the_entry()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var longName = new string('x', 101);
        var request = Request(
            [Member("ann"), Member("bob"), Member("cy"), new ImportMemberRequest("not-an-email", "uid=dee,ou=People", false)],
            [new ImportGroupRequest(longName, "cn=Long", [])]);

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenImportFailed);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("The request's model state is invalid")
            .And.Contain("Members[3].Email: The Email field is not a valid e-mail address. (member 'not-an-email', externalId 'uid=dee,ou=People')")
            .And.Contain("Groups[0].Name: The field Name must be a string with a maximum length of 100.")
            .And.Contain("externalId 'cn=Long'");
        standIn.ImportRequests.Should().ContainSingle("a 400 is not retried");
        standIn.Organization.Members.Should().BeEmpty();
    }

    [Fact]
    public async Task Hundreds_of_validation_errors_are_summarized()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var request = Request(Enumerable.Range(0, 300).Select(i => new ImportMemberRequest($"broken{i}", $"uid=u{i}", false)));

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);

        var message = (await act.Should().ThrowAsync<SyncFailedException>()).Which.Message;
        message.Should().Contain("Members[0].Email").And.Contain("member 'broken0'").And.Contain("And 190 more invalid fields.");
        message.Length.Should().BeLessThan(3000);
    }

    [Fact]
    public async Task A_proxy_error_page_is_reported_as_text_not_as_a_parse_failure()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(10, 502);

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should().Contain("HTTP 502 <html>");
    }

    [Fact]
    public async Task A_failed_later_batch_says_which_request_failed_and_that_earlier_ones_were_applied()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        OrganizationImportRequest[] requests =
        [
            Request([Member("ann")]) with { LargeImport = true },
            Request([new ImportMemberRequest("broken", "uid=broken", false)]) with { LargeImport = true },
        ];

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), requests, CancellationToken.None);

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should()
            .Contain("import request 2 of 2").And.Contain("The import request before it was applied.");
        MemberSummary(standIn).Should().Equal("ann@corp.example.com Invited");
    }

    [Fact]
    public async Task A_server_refusal_surfaces_the_server_message()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.Organization.Seats = 1;

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        (await act.Should().ThrowAsync<SyncFailedException>()).Which.Message.Should()
            .Contain("HTTP 400").And.Contain("Cannot autoscale on self-hosted instance");
    }

    [Fact]
    public async Task Retry_after_in_seconds_is_honoured()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(1, 429, retryAfter: "1");

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var imports = standIn.ImportRequests;
        imports.Select(r => r.StatusCode).Should().Equal(429, 200);
        (imports[1].Time - imports[0].Time).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "the client waited as Retry-After asked");
        standIn.Organization.Members.Should().HaveCount(2);
    }

    [Fact]
    public async Task Retry_after_as_a_date_is_honoured()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var retryAt = DateTimeOffset.UtcNow.AddSeconds(2);
        standIn.FailNext(1, 429, retryAfter: retryAt.ToString("R", CultureInfo.InvariantCulture));

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var imports = standIn.ImportRequests;
        imports.Select(r => r.StatusCode).Should().Equal(429, 200);
        // The HTTP date has whole seconds, so the wait is between 1 and 2 seconds.
        imports[1].Time.Should().BeOnOrAfter(retryAt.AddSeconds(-1));
    }

    [Fact]
    public async Task A_retry_after_beyond_the_budget_fails_as_retryable_instead_of_blocking()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(1, 429, retryAfter: "3600");

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain("3600 s");
        standIn.ImportRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task Two_503s_then_success_completes_the_import()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(2, 503);

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.ImportRequests.Select(r => r.StatusCode).Should().Equal(503, 503, 200);
        GroupSummary(standIn).Should().Equal("Dev: uid=ann,ou=People");
    }

    [Fact]
    public async Task An_import_body_is_streamed_and_sent_whole_again_on_each_retry()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
        var request = Request(Enumerable.Range(0, 2000).Select(i => Member($"user{i:D4}")));
        standIn.FailNext(2, 503);

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);

        var attempts = standIn.ImportRequests;
        attempts.Select(r => r.StatusCode).Should().Equal(503, 503, 200);
        attempts.Select(r => r.Body).Distinct().Should().ContainSingle("every retry re-sends the whole body");
        attempts.Should().OnlyContain(r => r.Headers.GetValueOrDefault("Transfer-Encoding") == "chunked" && !r.Headers.ContainsKey("Content-Length"),
            "the body is written to the request stream as it is serialized, not buffered first");
        JsonSerializer.Deserialize<JsonElement>(attempts[2].Body).GetProperty("members").GetArrayLength().Should().Be(2000);
        standIn.Organization.Members.Should().HaveCount(2000);
    }

    [Fact]
    public async Task A_token_endpoint_outage_is_retried_too()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(1, 502, StandInEndpoint.Token);

        await Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.TokenRequests.Select(r => r.StatusCode).Should().Equal(502, 200);
        standIn.Organization.Members.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_persistent_500_is_unavailable_after_a_bounded_number_of_tries()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(100, 500);

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain("after 4 attempts").And.Contain("An unhandled server error has occurred");
        standIn.ImportRequests.Should().HaveCount(4);
    }

    [Fact]
    public async Task A_hanging_request_times_out_and_is_retried()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.HangNext(1);
        var options = FastOptions();
        options.AttemptTimeout = TimeSpan.FromMilliseconds(500);

        await Client(options).ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.Organization.Members.Should().HaveCount(2);
        standIn.ImportRequests.Where(r => r.StatusCode == 200).Should().ContainSingle();
    }

    [Fact]
    public async Task An_unreachable_server_is_unavailable_and_retryable()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var endpoints = BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = $"http://127.0.0.1:{port}" });

        var act = () => Client().ImportAsync(endpoints, new OrganizationApiKey($"organization.{Guid.NewGuid()}", "secret"), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain("connection failed").And.Contain($"127.0.0.1:{port}/identity/connect/token");
    }

    [Theory]
    [InlineData(403, SyncFailureReason.BitwardenAuthFailed, "api.organization")]
    [InlineData(404, SyncFailureReason.BitwardenImportFailed, "spec.bitwarden.serverUrl")]
    public async Task Forbidden_and_not_found_are_not_retried(int status, SyncFailureReason reason, string hint)
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.FailNext(1, status);

        var act = () => Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(reason);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain(hint);
        standIn.ImportRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task Cancellation_stops_the_retries()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        standIn.HangNext(1);
        using var cancellation = new CancellationTokenSource();

        var import = Client().ImportAsync(Endpoints(standIn), Key(standIn), [AnnAndBob], cancellation.Token);
        for (var waited = 0; standIn.HangingRequests == 0 && waited < 400; waited++)
        {
            await Task.Delay(25); // until the import hangs on the server (the token request comes first)
        }

        await cancellation.CancelAsync();

        await import.Invoking(async task => await task).Should().ThrowAsync<OperationCanceledException>();
        for (var waited = 0; standIn.HangingRequests > 0 && waited < 400; waited++)
        {
            await Task.Delay(25); // the server logs the aborted request once it notices the abort
        }

        await Task.Delay(200); // a retry, if the client wrongly made one, would arrive by now
        standIn.ImportRequests.Should().ContainSingle("a cancelled import is not retried");
    }

    [Fact]
    public async Task A_self_hosted_server_under_a_path_prefix_is_reached_from_its_base_url()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { PathPrefix = "/tools/bitwarden" });
        var endpoints = BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = standIn.BaseUrl + "/" });

        await Client().ImportAsync(endpoints, Key(standIn), [AnnAndBob], CancellationToken.None);

        standIn.ImportRequests.Should().ContainSingle().Which.Path.Should().Be("/tools/bitwarden/api/public/organization/import");
        standIn.Organization.Members.Should().HaveCount(2);
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
