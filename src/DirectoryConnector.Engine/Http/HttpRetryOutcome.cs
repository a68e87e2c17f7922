namespace DirectoryConnector.Engine.Http;

/// <summary>What the retries of one request did, for the typed client's error messages. Read it with
/// <see cref="Of"/> from the request (or <c>response.RequestMessage</c>) after SendAsync returned or threw.</summary>
public sealed class HttpRetryOutcome
{
    internal static readonly HttpRequestOptionsKey<HttpRetryOutcome> Key = new("DirectoryConnector.Http.RetryOutcome");

    internal HttpRetryOutcome(int maxAttempts, TimeSpan maxRetryAfter, TimeSpan attemptTimeout)
    {
        MaxAttempts = maxAttempts;
        MaxRetryAfter = maxRetryAfter;
        AttemptTimeout = attemptTimeout;
    }

    /// <summary>Tries sent, the first included.</summary>
    public int Attempts { get; internal set; }

    /// <summary>The configured limit (<see cref="DirectoryHttpClientOptions.MaxAttempts"/>).</summary>
    public int MaxAttempts { get; }

    /// <summary>The configured <see cref="DirectoryHttpClientOptions.MaxRetryAfter"/>.</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>The configured <see cref="DirectoryHttpClientOptions.AttemptTimeout"/>.</summary>
    public TimeSpan AttemptTimeout { get; }

    /// <summary>Set when the last response was throttled and the server asked to wait longer than
    /// <see cref="MaxRetryAfter"/>: the wait it asked for. The response was returned instead of waiting.</summary>
    public TimeSpan? DeclinedWait { get; internal set; }

    /// <summary>The outcome recorded on a request sent through a client of <see cref="DirectoryHttpClientFactory"/>; null otherwise.</summary>
    public static HttpRetryOutcome? Of(HttpRequestMessage? request) =>
        request is not null && request.Options.TryGetValue(Key, out var outcome) ? outcome : null;
}
