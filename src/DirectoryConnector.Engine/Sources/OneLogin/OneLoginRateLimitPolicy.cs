using System.Globalization;
using System.Net;
using DirectoryConnector.Engine.Http;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>
/// OneLogin's rate limit: every API answer carries <c>X-RateLimit-Remaining</c> and <c>X-RateLimit-Reset</c>, the
/// seconds until the account's window resets (relative, unlike Okta's epoch: developers.onelogin.com/api-docs/2/
/// oauth20-tokens/get-rate-limit). When nothing remains the next call waits for the reset; a 429 is retried after it.
/// </summary>
public sealed class OneLoginRateLimitPolicy : HttpRateLimitPolicy
{
    public override TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return response.StatusCode == HttpStatusCode.TooManyRequests && Reset(response) is { } reset ? reset : base.RetryAfter(response, now);
    }

    public override TimeSpan? PauseBeforeNext(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Header(response, "X-RateLimit-Remaining") is <= 0 ? Reset(response) ?? TimeSpan.FromSeconds(1) : null;
    }

    /// <summary>
    /// X-RateLimit-Reset as a wait of at least one second, plus a margin: the header is rounded to whole seconds and
    /// counted from when the server handled the call, so waiting exactly that long can land just inside the old window.
    /// </summary>
    private static TimeSpan? Reset(HttpResponseMessage response) =>
        Header(response, "X-RateLimit-Reset") is { } seconds ? TimeSpan.FromSeconds(Math.Max(1, seconds)) + ResetMargin : null;

    private static readonly TimeSpan ResetMargin = TimeSpan.FromMilliseconds(250);

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : null;
}
