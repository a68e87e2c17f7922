namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>An answer <see cref="GoogleWorkspaceStandIn.FailNext"/> gives instead of the real one, each with the body
/// Google sends (https://developers.google.com/admin-sdk/directory/v1/limits,
/// https://cloud.google.com/apis/design/errors#http_mapping).</summary>
public enum GoogleFault
{
    /// <summary>403, domain usageLimits, reason rateLimitExceeded.</summary>
    RateLimitExceeded,

    /// <summary>403, domain usageLimits, reason userRateLimitExceeded (2,400 queries per minute per user and project).</summary>
    UserRateLimitExceeded,

    /// <summary>403, domain usageLimits, reason quotaExceeded (too many concurrent requests).</summary>
    QuotaExceeded,

    /// <summary>429 RESOURCE_EXHAUSTED, reason rateLimitExceeded.</summary>
    TooManyRequests,

    /// <summary>503 backendError.</summary>
    BackendError,
}
