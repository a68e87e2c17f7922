using System.Net;
using System.Text.Json;
using DirectoryConnector.Engine.Http;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// Google throttles the Directory API with 403 (not 429) and says so only in the body: errors[].reason
/// rateLimitExceeded, userRateLimitExceeded or quotaExceeded, usually without Retry-After
/// (https://developers.google.com/admin-sdk/directory/v1/limits: "retry using exponential back-off"). Those, 429 and
/// the default's cases are throttling; every other 403 (forbidden, insufficientPermissions) is a permission problem
/// and is not retried.
/// </summary>
public sealed class GoogleRateLimitPolicy : HttpRateLimitPolicy
{
    public override async ValueTask<bool> IsThrottledAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.StatusCode != HttpStatusCode.Forbidden)
        {
            return await base.IsThrottledAsync(response, cancellationToken).ConfigureAwait(false);
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return GoogleDirectoryClient.Reason(body) is { } reason && GoogleDirectoryClient.ThrottlingReasons.Contains(reason);
    }
}
