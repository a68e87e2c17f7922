using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// The proof-of-possession key of a service app whose Okta settings require DPoP (RFC 9449; Okta turns "Require
/// Demonstrating Proof of Possession (DPoP) header in token requests" on by default for new API Services apps,
/// developer.okta.com/docs/guides/dpop). An ephemeral P-256 key, made when the token endpoint first asks for a proof and
/// kept for the access tokens bound to it, as long as the source; it is not the app's client-authentication key (Okta keeps the two apart).
/// Each proof is an ES256 JWT with <c>typ: dpop+jwt</c>, the public key as <c>jwk</c>, and the claims <c>jti</c>,
/// <c>htm</c>, <c>htu</c> (the URL without query or fragment), <c>iat</c>, plus <c>nonce</c> when the token endpoint
/// gave one (<c>DPoP-Nonce</c>) and <c>ath</c> (base64url SHA-256 of the access token) on API requests (RFC 9449 §4.2).
/// </summary>
internal sealed class OktaDpopKey
{
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly ECDsa key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly SigningCredentials signing;
    private readonly Dictionary<string, object> publicJwk;
    private readonly TimeProvider time;

    public OktaDpopKey(TimeProvider time)
    {
        this.time = time;
        signing = new SigningCredentials(new ECDsaSecurityKey(key), SecurityAlgorithms.EcdsaSha256);
        var parameters = key.ExportParameters(includePrivateParameters: false);
        publicJwk = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64UrlEncoder.Encode(parameters.Q.X),
            ["y"] = Base64UrlEncoder.Encode(parameters.Q.Y),
        };
    }

    /// <summary>A fresh proof for one request (a new jti every time: Okta accepts each proof once).</summary>
    /// <param name="method">The request's HTTP method (htm).</param>
    /// <param name="url">The request URL; htu is its scheme, authority and path.</param>
    /// <param name="nonce">The token endpoint's DPoP-Nonce, or null.</param>
    /// <param name="accessToken">The DPoP-bound access token the request carries (ath), or null on a token request.</param>
    public string Proof(HttpMethod method, Uri url, string? nonce, string? accessToken)
    {
        var claims = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method.Method,
            ["htu"] = url.GetLeftPart(UriPartial.Path),
            ["iat"] = time.GetUtcNow().ToUnixTimeSeconds(),
        };
        if (nonce is not null)
        {
            claims["nonce"] = nonce;
        }

        if (accessToken is not null)
        {
            claims["ath"] = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken)));
        }

        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            TokenType = "dpop+jwt",
            AdditionalHeaderClaims = new Dictionary<string, object>(StringComparer.Ordinal) { ["jwk"] = publicJwk },
            Claims = claims,
            SigningCredentials = signing,
        });
    }
}
