// Test names are sentences.

using System.Globalization;
using System.Net;
using System.Net.Sockets;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Logging;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Http;

/// <summary>The retry pipeline against a real loopback server answering a scripted sequence of statuses.</summary>
public class RetryTests
{
    /// <summary>Answers the scripted responses in order, then 200 "done".</summary>
    private static Task<LoopbackHttpsServer> ScriptedServerAsync(params Func<HttpContext, Task>[] script)
    {
        var next = -1;
        return LoopbackHttpsServer.StartAsync(null, context =>
        {
            var index = Interlocked.Increment(ref next);
            return index < script.Length ? script[index](context) : context.Response.WriteAsync("done");
        });
    }

    private static Func<HttpContext, Task> Status(int status, string? retryAfter = null, string body = "") => context =>
    {
        context.Response.StatusCode = status;
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        return context.Response.WriteAsync(body);
    };

    [Fact]
    public async Task Two_503s_then_success_returns_the_success()
    {
        await using var server = await ScriptedServerAsync(Status(503), Status(502));
        var time = new ShortcutTimeProvider(TimeSpan.FromSeconds(20));
        await using var services = HttpTestKit.Services(time: time);

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        (await response.Content.ReadAsStringAsync()).Should().Be("done");
        server.Requests.Should().HaveCount(3);
        HttpRetryOutcome.Of(response.RequestMessage)!.Attempts.Should().Be(3);
        time.Waits.Should().HaveCount(2, "one backoff before each retry");
    }

    [Fact]
    public async Task Retries_are_bounded_and_the_last_response_is_returned()
    {
        await using var server = await ScriptedServerAsync(Enumerable.Repeat(Status(500, body: "boom"), 10).ToArray());
        await using var services = HttpTestKit.Services(configure: options => options.MaxAttempts = 3);

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        response.StatusCode.Should().Be(HttpStatusCode.InternalServerError);
        (await response.Content.ReadAsStringAsync()).Should().Be("boom", "the body stays readable for the caller's error message");
        server.Requests.Should().HaveCount(3);
        HttpRetryOutcome.Of(response.RequestMessage)!.Attempts.Should().Be(3);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public async Task Client_errors_are_returned_at_once(int status)
    {
        await using var server = await ScriptedServerAsync(Status(status));
        await using var services = HttpTestKit.Services();

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        ((int)response.StatusCode).Should().Be(status);
        server.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Retry_after_seconds_replace_the_backoff()
    {
        await using var server = await ScriptedServerAsync(Status(429, retryAfter: "7"), Status(503, retryAfter: "3"));
        var time = new ShortcutTimeProvider(TimeSpan.FromSeconds(20));
        await using var services = HttpTestKit.Services(time: time);

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        server.Requests.Should().HaveCount(3);
        time.Waits.Should().Equal(TimeSpan.FromSeconds(7), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task Retry_after_as_an_http_date_waits_until_that_date()
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(12);
        await using var server = await ScriptedServerAsync(Status(429, retryAfter: at.ToString("R", CultureInfo.InvariantCulture)));
        var time = new ShortcutTimeProvider(TimeSpan.FromSeconds(20));
        await using var services = HttpTestKit.Services(time: time);

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        // The date has whole seconds: the wait is what is left of those 12 seconds.
        time.Waits.Should().ContainSingle().Which.Should().BeGreaterThan(TimeSpan.FromSeconds(10)).And.BeLessThanOrEqualTo(TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task A_retry_after_beyond_the_cap_is_returned_at_once_with_the_wait_it_asked_for()
    {
        await using var server = await ScriptedServerAsync(Status(429, retryAfter: "3600"));
        await using var services = HttpTestKit.Services(configure: options => options.MaxRetryAfter = TimeSpan.FromMinutes(2));

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        response.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        server.Requests.Should().ContainSingle("the client does not block for an hour");
        var outcome = HttpRetryOutcome.Of(response.RequestMessage)!;
        outcome.DeclinedWait.Should().Be(TimeSpan.FromHours(1));
        outcome.MaxRetryAfter.Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task A_provider_policy_decides_what_is_throttled_and_how_long_to_pause()
    {
        var reset = DateTimeOffset.UtcNow.AddSeconds(9);
        await using var server = await ScriptedServerAsync(
            // An Okta-style budget: the last request of the window succeeds and says nothing is left until the reset.
            context =>
            {
                context.Response.Headers["X-Rate-Limit-Remaining"] = "0";
                context.Response.Headers["X-Rate-Limit-Reset"] = reset.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                return context.Response.WriteAsync("first");
            },
            // A Google-style throttle: 403 with a reason in the body, no Retry-After.
            Status(403, body: """{"error":{"errors":[{"reason":"rateLimitExceeded"}]}}"""));
        var time = new ShortcutTimeProvider(TimeSpan.FromSeconds(20));
        await using var services = HttpTestKit.Services(new BudgetPolicy(), time: time);
        var client = services.Client();

        (await client.Http.GetStringAsync(server.BaseUrl)).Should().Be("first");
        time.Waits.Should().BeEmpty("the pause holds the next request, not this one");
        using var second = await client.Http.GetAsync(server.BaseUrl);

        (await second.Content.ReadAsStringAsync()).Should().Be("done", "the 403 the policy calls throttling was retried");
        server.Requests.Should().HaveCount(3);
        // The 403 says nothing of time: its retry backs off, and is still held at the reset (shortcut waits leave the clock behind).
        time.Waits.Where(wait => wait > TimeSpan.FromSeconds(7)).Should().HaveCount(2, "the second request and the retry waited for the reset")
            .And.AllSatisfy(wait => wait.Should().BeLessThanOrEqualTo(TimeSpan.FromSeconds(9)));
    }

    [Fact]
    public async Task At_the_default_log_level_each_retry_is_one_line_without_a_stack_trace()
    {
        // Polly logs each failed try and retry at Warning with the exception's stack trace (and a timeout at Error):
        // at the CLI's default level a user saw a screen of them for one unreachable host.
        await using var server = await ScriptedServerAsync(Status(503));
        var logs = new CapturedLogs();
        await using var services = HttpTestKit.Services(logs: logs);

        using var response = await services.Client().Http.GetAsync(server.BaseUrl);

        (await response.Content.ReadAsStringAsync()).Should().Be("done");
        logs.Lines.Should().ContainSingle("the retry is logged once, by the plumbing").Which.Should()
            .Contain($"attempt 1 of 4 failed (HTTP 503); retrying in").And.NotContain("Polly").And.NotContain(" at ");
    }

    [Fact]
    public async Task A_refused_connection_is_retried_a_bounded_number_of_times()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var services = HttpTestKit.Services(configure: options => options.MaxAttempts = 3);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/x");

        var act = () => services.Client().Http.SendAsync(request);

        await act.Should().ThrowAsync<HttpRequestException>();
        HttpRetryOutcome.Of(request)!.Attempts.Should().Be(3);
    }

    [Fact]
    public async Task A_try_without_an_answer_times_out_and_is_retried()
    {
        using var release = new CancellationTokenSource();
        await using var server = await ScriptedServerAsync(context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var services = HttpTestKit.Services(configure: options => options.AttemptTimeout = TimeSpan.FromMilliseconds(300),
            time: TimeProvider.System);

        var answer = await services.Client().Http.GetStringAsync(server.BaseUrl);

        answer.Should().Be("done");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Tries_that_all_time_out_end_in_an_http_request_exception_naming_the_url()
    {
        await using var server = await LoopbackHttpsServer.StartAsync(null, context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var services = HttpTestKit.Services(configure: options =>
        {
            options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            options.MaxAttempts = 2;
        }, time: TimeProvider.System);

        var act = () => services.Client().Http.GetStringAsync(new Uri(server.BaseUrl, "slow"));

        (await act.Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().Be($"{server.BaseUrl}slow did not answer within 0.2 s");
        server.Requests.Should().HaveCount(2);
    }

    [Fact]
    public async Task Cancellation_by_the_caller_is_not_retried()
    {
        await using var server = await LoopbackHttpsServer.StartAsync(null, context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var services = HttpTestKit.Services(time: TimeProvider.System);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        using var request = new HttpRequestMessage(HttpMethod.Get, server.BaseUrl);

        var act = () => services.Client().Http.SendAsync(request, cancellation.Token);

        await act.Should().ThrowAsync<OperationCanceledException>();
        HttpRetryOutcome.Of(request)!.Attempts.Should().Be(1);
    }

    /// <summary>Okta's budget headers and Google's 403 reasons in one policy, as a provider would write its hook.</summary>
    private sealed class BudgetPolicy : HttpRateLimitPolicy
    {
        public override async ValueTask<bool> IsThrottledAsync(HttpResponseMessage response, CancellationToken cancellationToken) =>
            await base.IsThrottledAsync(response, cancellationToken)
            || (response.StatusCode == HttpStatusCode.Forbidden
                && (await response.Content.ReadAsStringAsync(cancellationToken)).Contains("rateLimitExceeded", StringComparison.Ordinal));

        public override TimeSpan? PauseBeforeNext(HttpResponseMessage response, DateTimeOffset now) =>
            response.Headers.TryGetValues("X-Rate-Limit-Remaining", out var remaining) && remaining.Single() == "0"
            && response.Headers.TryGetValues("X-Rate-Limit-Reset", out var reset)
                ? DateTimeOffset.FromUnixTimeSeconds(long.Parse(reset.Single(), CultureInfo.InvariantCulture)) - now
                : null;
    }
}
