using System.Net.Http.Headers;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>How requests to the Management API are authorized: an API token (SSWS) or a service app's access token.</summary>
public interface IOktaCredential
{
    /// <summary>The Authorization header for the next request; <paramref name="refresh"/> asks for a new access token
    /// (after a 401 on one that may have expired).</summary>
    ValueTask<AuthenticationHeaderValue> GetAuthorizationAsync(OktaClient client, bool refresh, CancellationToken cancellationToken);

    /// <summary>True when a 401 may be cured by <see cref="GetAuthorizationAsync"/> with refresh (an access token, not an API token).</summary>
    bool CanRefresh { get; }
}
