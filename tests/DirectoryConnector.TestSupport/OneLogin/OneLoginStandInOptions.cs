namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>How the OneLogin stand-in behaves. Defaults follow OneLogin's documented limits.</summary>
public sealed class OneLoginStandInOptions
{
    /// <summary>The API credential pair (fakes; never real credentials).</summary>
    public string ClientId { get; init; } = "0123456789abcdef0123456789abcdef";

    public string ClientSecret { get; init; } = "standInOneLoginSecret-0123456789abcdef";

    /// <summary>The credential's scope: "Read Users", "Read All", "Manage Users", "Manage All" can list users and roles;
    /// "Authentication Only" cannot (403).</summary>
    public string Scope { get; init; } = "Read Users";

    /// <summary>Access tokens live 10 hours (developers.onelogin.com/api-docs/2/oauth20-tokens/generate-tokens).</summary>
    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(10);

    /// <summary>Items per page when the request sets no limit (the users list documents 50).</summary>
    public int DefaultPageSize { get; init; } = 50;

    /// <summary>The most items a page holds whatever limit the request asks for (the SDKs document 100 for roles, the
    /// issue 1000 for users; the stand-in clamps like the service instead of failing).</summary>
    public int MaxPageSize { get; init; } = 1000;

    /// <summary>API calls per window before 429 (the account limit is 5000 an hour). Null: unlimited, but the
    /// X-RateLimit-* headers are still sent.</summary>
    public int? RateLimit { get; init; }

    /// <summary>The rate-limit window (an hour at OneLogin; short in tests).</summary>
    public TimeSpan RateLimitWindow { get; init; } = TimeSpan.FromHours(1);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
