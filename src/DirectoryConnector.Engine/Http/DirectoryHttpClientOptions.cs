namespace DirectoryConnector.Engine.Http;

/// <summary>Timeouts and retries of one typed client registered with
/// <see cref="HttpServiceCollectionExtensions.AddDirectoryHttpClient{TClient}"/>: named options, the name being
/// <see cref="DirectoryHttpClientFactory.NameOf{TClient}"/>.</summary>
public sealed class DirectoryHttpClientOptions
{
    /// <summary>How the provider throttles; set by AddDirectoryHttpClient.</summary>
    public HttpRateLimitPolicy RateLimitPolicy { get; set; } = HttpRateLimitPolicy.Default;

    /// <summary>Every try of a request first waits for a permit of this limiter (cancellable, outside the try's timeout),
    /// e.g. a server's request budget shared by every client of the process; null: no limiter.</summary>
    public System.Threading.RateLimiting.PartitionedRateLimiter<HttpRequestMessage>? RequestLimiter { get; set; }

    /// <summary>Tries per request, the first included, for 5xx, 408, throttling, timeouts and connection failures. 1: no retries.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Backoff before the second try; grows exponentially per try, with jitter (Polly's decorrelated jitter).</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest backoff between two tries when the server did not say how long to wait.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait a server may ask for (Retry-After or a rate-limit reset). A longer one is not waited for:
    /// the throttled response is returned at once (see <see cref="HttpRetryOutcome.DeclinedWait"/>), so a sync fails
    /// as retryable instead of blocking a worker.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Per try, until the response headers and body are read.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>An idle pooled connection is closed after this long (SocketsHttpHandler.PooledConnectionIdleTimeout).</summary>
    public TimeSpan PooledConnectionIdleTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>A pooled connection is replaced after this long, so DNS changes are picked up (SocketsHttpHandler.PooledConnectionLifetime).</summary>
    public TimeSpan PooledConnectionLifetime { get; set; } = TimeSpan.FromMinutes(5);
}
