using System.Net;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>Okta answered an API or token request with an error (developer.okta.com/docs/reference/error-codes):
/// the HTTP status, Okta's errorCode (E0000011, E0000031, ...) or OAuth error (invalid_client, ...), and the
/// errorSummary with its errorCauses. Never carries a credential.</summary>
public sealed class OktaApiException(HttpStatusCode statusCode, string? errorCode, string summary, string? wwwAuthenticate = null)
    : Exception($"Okta answered {(int)statusCode} {errorCode}: {summary}".Replace("  ", " ", StringComparison.Ordinal))
{
    public HttpStatusCode StatusCode { get; } = statusCode;

    public string? ErrorCode { get; } = errorCode;

    /// <summary>errorSummary and its errorCauses, or an OAuth error_description.</summary>
    public string Summary { get; } = summary;

    /// <summary>The WWW-Authenticate challenge (names the missing scope on 403 insufficient_scope).</summary>
    public string? WwwAuthenticate { get; } = wwwAuthenticate;

    /// <summary>The DPoP-Nonce response header (RFC 9449 §8): the token endpoint's nonce to put in the next proof.</summary>
    public string? DpopNonce { get; init; }
}
