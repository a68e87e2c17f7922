namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>Retry, pacing and device settings of <see cref="BitwardenClient"/>.</summary>
public sealed class BitwardenClientOptions
{
    /// <summary>Tries per request, first included, for 429, 5xx, timeouts and connection failures.</summary>
    public int MaxAttempts { get; set; } = 4;

    /// <summary>Backoff before the second try; doubles per try, with jitter.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest Retry-After the client waits for; a longer one fails the sync as retryable instead of blocking it.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Per try. Self-hosted nginx gives up after 90 s, so longer would only wait for a 504.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>The request limits below apply to the Bitwarden cloud (hosts under bitwarden.com and bitwarden.eu), which
    /// enforces them per client IP; a self-hosted server has no built-in limit. True applies them to every server (one
    /// behind a rate-limiting proxy, or a stand-in that enforces the cloud's limits).</summary>
    public bool PaceEveryServer { get; set; }

    /// <summary>POSTs (and token requests, DELETEs, PUTs) per second to one server from this process, all syncs together:
    /// the cloud allows 5 per client IP (bitwarden-api.md §1.8). Enforced by <see cref="BitwardenRequestLimiter"/>.</summary>
    public int PostsPerSecond { get; set; } = 5;

    /// <summary>API POSTs (and DELETEs, PUTs) per minute to one server from this process: the cloud allows 60 per client IP.</summary>
    public int PostsPerMinute { get; set; } = 60;

    /// <summary>API GETs per minute to one server from this process: the cloud allows 200 per client IP.</summary>
    public int GetsPerMinute { get; set; } = 200;

    /// <summary>Token requests per minute to one identity server from this process: the cloud allows 10 per client IP.</summary>
    public int TokenRequestsPerMinute { get; set; } = 10;

    /// <summary>A cached token is renewed this long before it expires (the original connector uses 5 minutes).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Device type sent with the token request; Bitwarden ignores it, Vaultwarden requires it. 8 is what the original connector sends.</summary>
    public int DeviceType { get; set; } = 8;

    public string DeviceName { get; set; } = "directory-connector";

    /// <summary>Device identifier sent with the token request; when null, a GUID derived from the client id, so it is stable across restarts.</summary>
    public Guid? DeviceIdentifier { get; set; }
}
