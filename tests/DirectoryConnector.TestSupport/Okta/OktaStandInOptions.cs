namespace DirectoryConnector.TestSupport.Okta;

/// <summary>How the Okta stand-in behaves.</summary>
public sealed class OktaStandInOptions
{
    /// <summary>The API token sent as "Authorization: SSWS {token}" (a fake; never a real token).</summary>
    public string ApiToken { get; init; } = "00StandInApiToken_0123456789abcdefghijklm";

    /// <summary>The token's admin lacks a read-only admin role: every API call answers 403 E0000006.</summary>
    public bool ApiTokenLacksPermission { get; init; }

    /// <summary>Pages hold at most this many entries whatever limit the client asks for (to force many pages).</summary>
    public int? MaxPageSize { get; init; }

    /// <summary>One comma-joined Link header instead of one header per link (both are valid RFC 8288).</summary>
    public bool CombineLinkHeaders { get; init; }

    /// <summary>Requests per window per endpoint bucket ("/api/v1/users", "/api/v1/groups", "/api/v1/groups/{id}/users",
    /// "/oauth2/v1/token"); buckets not listed allow <see cref="DefaultRateLimit"/>.</summary>
    public IReadOnlyDictionary<string, int> RateLimits { get; init; } = new Dictionary<string, int>();

    public int DefaultRateLimit { get; init; } = 600;

    /// <summary>Okta's windows are a minute; tests use a second. Whole seconds, since X-Rate-Limit-Reset is in epoch seconds.</summary>
    public int RateLimitWindowSeconds { get; init; } = 1;

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
