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

    /// <summary>Gap between consecutive import POSTs: the cloud allows 5 POSTs per second per client IP.</summary>
    public TimeSpan MinimumPostInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A cached token is renewed this long before it expires (the original connector uses 5 minutes).</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Device type sent with the token request; Bitwarden ignores it, Vaultwarden requires it. 8 is what the original connector sends.</summary>
    public int DeviceType { get; set; } = 8;

    public string DeviceName { get; set; } = "directory-connector";

    /// <summary>Device identifier sent with the token request; when null, a GUID derived from the client id, so it is stable across restarts.</summary>
    public Guid? DeviceIdentifier { get; set; }
}
