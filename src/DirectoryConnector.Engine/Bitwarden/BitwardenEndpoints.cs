using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>The API and identity base URLs of a Bitwarden server, without a trailing slash.</summary>
public sealed record BitwardenEndpoints(Uri ApiUrl, Uri IdentityUrl)
{
    /// <summary>POST target of the organization import.</summary>
    public Uri ImportUrl => new($"{ApiUrl.AbsoluteUri.TrimEnd('/')}/public/organization/import");

    /// <summary>GET (list) and DELETE {id} of the public members API.</summary>
    public Uri MembersUrl => new($"{ApiUrl.AbsoluteUri.TrimEnd('/')}/public/members");

    /// <summary>GET (list) and DELETE {id} of the public groups API.</summary>
    public Uri GroupsUrl => new($"{ApiUrl.AbsoluteUri.TrimEnd('/')}/public/groups");

    /// <summary>OAuth2 token endpoint.</summary>
    public Uri TokenUrl => new($"{IdentityUrl.AbsoluteUri.TrimEnd('/')}/connect/token");

    /// <summary>Derives both URLs from the spec (cloud US/EU, self-hosted, Vaultwarden, explicit overrides).
    /// Throws SyncFailedException(InvalidSpec) naming the field when a URL is malformed.</summary>
    public static BitwardenEndpoints FromSpec(BitwardenSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var server = string.IsNullOrWhiteSpace(spec.ServerUrl)
            ? new Uri(BitwardenSpec.CloudUs)
            : ParseBaseUrl(spec.ServerUrl, "spec.bitwarden.serverUrl");

        var (api, identity) = IsHostOnly(server) switch
        {
            true when Is(server, "vault.bitwarden.com") => (new Uri("https://api.bitwarden.com"), new Uri("https://identity.bitwarden.com")),
            true when Is(server, "vault.bitwarden.eu") => (new Uri("https://api.bitwarden.eu"), new Uri("https://identity.bitwarden.eu")),
            // Self-hosted Bitwarden and Vaultwarden serve both under the base URL, path prefix included.
            _ => (Append(server, "api"), Append(server, "identity")),
        };

        return new BitwardenEndpoints(
            string.IsNullOrWhiteSpace(spec.ApiUrl) ? api : ParseBaseUrl(spec.ApiUrl, "spec.bitwarden.apiUrl"),
            string.IsNullOrWhiteSpace(spec.IdentityUrl) ? identity : ParseBaseUrl(spec.IdentityUrl, "spec.bitwarden.identityUrl"));
    }

    // The spec's one URL rule (SourceValidation.UrlProblem); the value is not echoed when it holds credentials.
    private static Uri ParseBaseUrl(string value, string field) =>
        SourceValidation.UrlProblem(value, BitwardenSpec.CloudUs, out var uri) is { } problem
            ? throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{field}: {problem}", retryable: false)
            : new Uri(uri!.GetLeftPart(UriPartial.Path).TrimEnd('/'));

    private static bool IsHostOnly(Uri uri) => uri.AbsolutePath is "/" or "";

    private static bool Is(Uri uri, string host) =>
        uri.Scheme == Uri.UriSchemeHttps && uri.IsDefaultPort && string.Equals(uri.Host, host, StringComparison.OrdinalIgnoreCase);

    private static Uri Append(Uri baseUrl, string segment) => new($"{baseUrl.AbsoluteUri.TrimEnd('/')}/{segment}");
}
