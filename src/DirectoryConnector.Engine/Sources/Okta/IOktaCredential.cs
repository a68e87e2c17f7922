namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>How requests to the Management API are authorized: an API token (SSWS) or a service app's access token
/// (Bearer, or DPoP with a proof per request when the app requires DPoP).</summary>
public interface IOktaCredential
{
    /// <summary>Sets the Authorization header (and the DPoP proof header, when the token is DPoP-bound) on
    /// <paramref name="request"/>; <paramref name="refresh"/> asks for a new access token (after a 401 on one that may
    /// have expired).</summary>
    ValueTask AuthorizeAsync(HttpRequestMessage request, OktaClient client, bool refresh, CancellationToken cancellationToken);

    /// <summary>True when a 401 may be cured by <see cref="AuthorizeAsync"/> with refresh (an access token, not an API token).</summary>
    bool CanRefresh { get; }
}
