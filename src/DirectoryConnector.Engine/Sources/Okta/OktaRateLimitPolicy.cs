using System.Globalization;
using DirectoryConnector.Engine.Http;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// Okta's rate limits (developer.okta.com/docs/reference/rl-best-practices): every response carries
/// X-Rate-Limit-Limit, X-Rate-Limit-Remaining and X-Rate-Limit-Reset (UTC epoch seconds when the window resets).
/// Before the budget runs out the next request waits for the reset; a 429 (E0000047) is retried after it.
/// </summary>
public sealed class OktaRateLimitPolicy : HttpRateLimitPolicy
{
    /// <summary>Clock skew allowance: Okta's reset is in whole seconds.</summary>
    private static readonly TimeSpan Margin = TimeSpan.FromMilliseconds(250);

    public override TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now) =>
        UntilReset(response, now) ?? base.RetryAfter(response, now);

    public override TimeSpan? PauseBeforeNext(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        return Header(response, "X-Rate-Limit-Remaining") is 0 ? UntilReset(response, now) : null;
    }

    private static TimeSpan? UntilReset(HttpResponseMessage response, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (Header(response, "X-Rate-Limit-Reset") is not { } reset)
        {
            return null;
        }

        var wait = DateTimeOffset.FromUnixTimeSeconds(reset) - now + Margin;
        return wait > TimeSpan.Zero ? wait : Margin;
    }

    private static long? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values)
        && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
}
