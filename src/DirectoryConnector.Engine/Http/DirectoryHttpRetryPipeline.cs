using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// The resilience pipeline of every directory HTTP client (Polly through Microsoft.Extensions.Http.Resilience): bounded
/// retries with exponential jittered backoff of 5xx, 408, throttling, per-try timeouts and connection failures; the
/// rate-limit policy's wait instead of the backoff for throttled responses, declined when longer than
/// <see cref="DirectoryHttpClientOptions.MaxRetryAfter"/>; TLS failures and everything else returned at once.
/// </summary>
internal sealed partial class DirectoryHttpRetryPipeline(string client, DirectoryHttpClientOptions options, HttpRateLimitPolicy policy, TimeProvider time, ILogger logger)
{
    private static readonly ResiliencePropertyKey<TimeSpan?> ServerWait = new("DirectoryConnector.Http.ServerWait");

    public void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline)
    {
        pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            // Polly needs at least one retry; ShouldRetryAsync stops at MaxAttempts, 1 included.
            MaxRetryAttempts = Math.Max(1, options.MaxAttempts - 1),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = options.BaseRetryDelay,
            MaxDelay = options.MaxRetryDelay,
            ShouldRetryAfterHeader = false,
            ShouldHandle = ShouldRetryAsync,
            DelayGenerator = args => ValueTask.FromResult(args.Context.Properties.GetValue(ServerWait, null)),
            OnRetry = args =>
            {
                var request = args.Context.GetRequestMessage();
                LogRetrying(client, request?.Method.Method ?? "", request?.RequestUri?.GetLeftPart(UriPartial.Path) ?? "", args.AttemptNumber + 1,
                    Math.Max(1, options.MaxAttempts), Problem(args.Outcome), args.RetryDelay.TotalSeconds);
                return ValueTask.CompletedTask;
            },
        });
        if (options.RequestLimiter is { } limiter)
        {
            // Inside the retries (each try waits its turn), outside the try's timeout (a long wait is not a timeout).
            pipeline.AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => limiter.AcquireAsync(args.Context.GetRequestMessage()!, 1, args.Context.CancellationToken),
            });
        }

        pipeline.AddTimeout(options.AttemptTimeout);
    }

    private async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args)
    {
        args.Context.Properties.Set(ServerWait, null);
        if (args.AttemptNumber + 1 >= options.MaxAttempts)
        {
            return false;
        }

        if (args.Outcome.Exception is { } exception)
        {
            return exception is TimeoutRejectedException || (exception is HttpRequestException and not HttpTlsException);
        }

        var response = args.Outcome.Result!;
        if (await policy.IsThrottledAsync(response, args.Context.CancellationToken).ConfigureAwait(false))
        {
            var now = time.GetUtcNow();
            var wait = policy.RetryAfter(response, now) ?? policy.PauseBeforeNext(response, now);
            if (wait > options.MaxRetryAfter)
            {
                if (HttpRetryOutcome.Of(response.RequestMessage ?? args.Context.GetRequestMessage()) is { } outcome)
                {
                    outcome.DeclinedWait = wait;
                }

                return false;
            }

            args.Context.Properties.Set(ServerWait, wait);
            return true;
        }

        return response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500;
    }

    private static string Problem(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: TimeoutRejectedException } => "no answer in time",
        { Exception: { } exception } => exception.Message,
        { Result: { } response } => $"HTTP {(int)response.StatusCode}",
        _ => "",
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Client} {Method} {Url} attempt {Attempt} of {MaxAttempts} failed ({Problem}); retrying in {DelaySeconds:0.0} s")]
    private partial void LogRetrying(string client, string method, string url, int attempt, int maxAttempts, string problem, double delaySeconds);
}
