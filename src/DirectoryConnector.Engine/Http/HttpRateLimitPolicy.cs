using System.Net;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// How one provider says "slow down": which responses are throttling, how long to wait before retrying one, and how
/// long to pause before the next request even after a success. One small subclass per provider (Okta's
/// <c>X-Rate-Limit-Reset</c>, OneLogin's <c>X-RateLimit-Reset</c>, Google's <c>rateLimitExceeded</c> reasons); the
/// default follows RFC 9110 §10.2.3 (<c>Retry-After</c>) and RFC 6585 §4 (429).
/// </summary>
public class HttpRateLimitPolicy
{
    /// <summary>The policy of servers that speak plain HTTP: 429, and 503 with Retry-After (RFC 9110 §15.6.4).</summary>
    public static HttpRateLimitPolicy Default { get; } = new();

    /// <summary>True when the response asks the client to slow down. Default: 429, and 503 with a Retry-After header.
    /// An override may read the body (it is buffered); it must not dispose the response.</summary>
    public virtual ValueTask<bool> IsThrottledAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ValueTask.FromResult(response.StatusCode == HttpStatusCode.TooManyRequests
            || (response.StatusCode == HttpStatusCode.ServiceUnavailable && response.Headers.RetryAfter is not null));
    }

    /// <summary>How long the server asked to wait before retrying a throttled response; null when it did not say
    /// (then exponential backoff applies). Default: Retry-After as delta-seconds or as an HTTP date (a past date is zero).</summary>
    public virtual TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta < TimeSpan.Zero ? TimeSpan.Zero : delta,
            { Date: { } date } => date > now ? date - now : TimeSpan.Zero,
            _ => null,
        };
    }

    /// <summary>How long to hold the next request to the same host after this response (any status), e.g. when a
    /// rate-limit budget header says nothing is left until its reset time; null for no pause (the default). A throttled
    /// response without <see cref="RetryAfter"/> is retried after this pause too.</summary>
    public virtual TimeSpan? PauseBeforeNext(HttpResponseMessage response, DateTimeOffset now) => null;
}
