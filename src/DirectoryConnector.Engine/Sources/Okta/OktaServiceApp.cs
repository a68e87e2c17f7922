using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>
/// An OAuth 2.0 service app (developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp): client credentials
/// from the org authorization server <c>{orgUrl}/oauth2/v1/token</c>, authenticated with a private_key_jwt client
/// assertion (RFC 7523: iss = sub = client id, aud = the token URL, a jti, five minutes of validity), the only client
/// authentication Okta accepts for okta.* scopes. Access tokens last an hour; a new one is requested a minute early.
/// DPoP is used only when the app demands it (its "Require DPoP header in token requests" setting, on by default for
/// new API Services apps): then tokens are DPoP-bound and every request carries a proof (<see cref="OktaDpopKey"/>).
/// The token endpoint's DPoP nonce outlives the sync in <see cref="OktaDpopNonceCache"/>, the access token (with its
/// DPoP key) in <see cref="OktaAccessTokenCache"/>.
/// </summary>
public sealed class OktaServiceApp : IOktaCredential
{
    /// <summary>The read-only scopes the source needs (grant them to the app under Okta API Scopes).</summary>
    public const string Scopes = "okta.users.read okta.groups.read";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly object gate = new();
    private readonly Uri tokenUrl;
    private readonly string clientId;
    private readonly SigningCredentials signing;
    private readonly TimeProvider time;
    private readonly OktaDpopNonceCache nonces;
    private readonly OktaAccessTokenCache tokens;
    private readonly OktaTokenCacheKey? cacheKey;
    private OktaCachedToken? current;
    private OktaDpopKey? dpop;

    public OktaServiceApp(Uri tokenUrl, string clientId, SigningCredentials signing, TimeProvider time, OktaDpopNonceCache nonces, OktaAccessTokenCache tokens)
    {
        ArgumentNullException.ThrowIfNull(tokenUrl);
        ArgumentNullException.ThrowIfNull(signing);
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.signing = signing;
        this.time = time;
        this.nonces = nonces;
        this.tokens = tokens;
        // A key whose thumbprint cannot be computed keeps its token to this sync rather than share it on a weaker key.
        cacheKey = signing.Key.CanComputeJwkThumbprint()
            ? new OktaTokenCacheKey(tokenUrl.AbsoluteUri, clientId, Scopes, Base64UrlEncoder.Encode(signing.Key.ComputeJwkThumbprint()), signing.Key.KeyId, signing.Algorithm)
            : null;
    }

    public bool CanRefresh => true;

    /// <summary>Reads the app's private key as Okta's Admin Console offers it: a JWK (JSON, its kid is used) or PEM
    /// (PKCS#8 or PKCS#1 RSA, or EC). Throws <see cref="FormatException"/> saying which forms work, never the key.</summary>
    public static SigningCredentials SigningCredentialsFrom(string privateKey, string? keyId)
    {
        var text = privateKey.Trim();
        if (text.StartsWith('{'))
        {
            JsonWebKey jwk;
            try
            {
                jwk = new JsonWebKey(text);
            }
            catch (ArgumentException)
            {
                throw new FormatException("it is not a valid JWK (JSON Web Key)");
            }

            if (!jwk.HasPrivateKey)
            {
                throw new FormatException("the JWK holds only a public key; it needs the private key (the \"d\" member)");
            }

            jwk.KeyId = keyId ?? jwk.KeyId;
            var algorithm = jwk.Alg ?? (jwk.Kty == "EC" ? EcAlgorithm(jwk.Crv) : SecurityAlgorithms.RsaSha256);
            return new SigningCredentials(jwk, algorithm);
        }

        if (text.Contains("-----BEGIN EC PRIVATE KEY-----", StringComparison.Ordinal) || IsEcPkcs8(text))
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(text);
            var curve = ec.KeySize switch { 384 => "P-384", 521 => "P-521", _ => "P-256" };
            return new SigningCredentials(new ECDsaSecurityKey(ec) { KeyId = keyId }, EcAlgorithm(curve));
        }

        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(text);
        }
        catch (ArgumentException)
        {
            rsa.Dispose();
            throw new FormatException("it is neither a JWK nor a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----)");
        }

        return new SigningCredentials(new RsaSecurityKey(rsa) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);
    }

    public async ValueTask AuthorizeAsync(HttpRequestMessage request, OktaClient client, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(client);
        var token = await AccessTokenAsync(client, refresh, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue(token.Scheme, token.Value);
        if (token.Dpop is { } key)
        {
            // A DPoP-bound token is used with a fresh proof naming this request and the token (Okta needs no nonce here),
            // signed by the key it is bound to.
            request.Headers.Remove("DPoP");
            request.Headers.Add("DPoP", key.Proof(request.Method, request.RequestUri!, nonce: null, token.Value));
        }
    }

    public override string ToString() => $"Okta service app {clientId}";

    private async ValueTask<OktaCachedToken> AccessTokenAsync(OktaClient client, bool refresh, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (gate)
        {
            if (refresh)
            {
                // Okta refused it (expired or revoked early): no other sync of this app gets it either.
                if (current is { } refused && cacheKey is { } key)
                {
                    tokens.Remove(key, refused);
                }

                current = null;
            }
            else if (current is { } valid && now < valid.RenewAt)
            {
                return valid;
            }
            else if (cacheKey is { } key && tokens.Get(key, now) is { } cached)
            {
                return current = cached;
            }
        }

        // Reads are sequential; should two requests race here, each gets a valid token. When the app requires DPoP, the
        // token endpoint answers invalid_dpop_proof ("The DPoP proof JWT header is missing."), then use_dpop_nonce with a
        // DPoP-Nonce header (developer.okta.com/docs/guides/dpop): one more request for each, with a new assertion, and
        // never a second one for the same answer. A nonce remembered from an earlier sync skips both; when Okta has
        // retired it, its use_dpop_nonce costs the one retry.
        var nonce = nonces.Get(tokenUrl, clientId);
        if (nonce is not null)
        {
            DpopKey();
        }

        var (proofAsked, nonceRetried) = (false, false);
        OktaAccessToken token;
        while (true)
        {
            var proof = dpop?.Proof(HttpMethod.Post, tokenUrl, nonce, accessToken: null);
            try
            {
                token = await client.RequestAccessTokenAsync(tokenUrl, ClientAssertion(), Scopes, proof, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (OktaApiException error) when (error.ErrorCode == "invalid_dpop_proof" && dpop is null && !proofAsked)
            {
                proofAsked = true;
                DpopKey();
            }
            catch (OktaApiException error) when (error.ErrorCode == "use_dpop_nonce" && dpop is not null && !nonceRetried && error.DpopNonce is { Length: > 0 } next && next != nonce)
            {
                nonceRetried = true;
                nonce = next;
                nonces.Set(tokenUrl, clientId, next);
            }
        }

        var scheme = token.TokenType is { Length: > 0 } type ? type : "Bearer";
        if (scheme.Equals("DPoP", StringComparison.OrdinalIgnoreCase) && dpop is null)
        {
            throw new OktaApiException(System.Net.HttpStatusCode.OK, "invalid_dpop_proof", "the token endpoint issued a DPoP-bound token to a request without a DPoP proof");
        }

        var issued = time.GetUtcNow();
        var fresh = new OktaCachedToken(scheme, token.AccessToken, issued + TimeSpan.FromSeconds(Math.Max(0, token.ExpiresIn - 60)),
            scheme.Equals("DPoP", StringComparison.OrdinalIgnoreCase) ? dpop : null);
        lock (gate)
        {
            current = fresh;
        }

        if (cacheKey is { } cacheAs)
        {
            tokens.Set(cacheAs, fresh, issued);
        }

        return fresh;
    }

    private OktaDpopKey DpopKey()
    {
        lock (gate)
        {
            return dpop ??= new OktaDpopKey(time);
        }
    }

    private string ClientAssertion()
    {
        var now = time.GetUtcNow().UtcDateTime;
        return Handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = clientId,
            Audience = tokenUrl.AbsoluteUri,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(5),
            Subject = new ClaimsIdentity([new Claim("sub", clientId), new Claim("jti", Guid.NewGuid().ToString("N"))]),
            SigningCredentials = signing,
        });
    }

    private static string EcAlgorithm(string? curve) => curve switch
    {
        "P-384" => SecurityAlgorithms.EcdsaSha384,
        "P-521" => SecurityAlgorithms.EcdsaSha512,
        _ => SecurityAlgorithms.EcdsaSha256,
    };

    private static bool IsEcPkcs8(string pem)
    {
        if (!pem.Contains("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal))
        {
            return false;
        }

        using var ec = ECDsa.Create();
        try
        {
            ec.ImportFromPem(pem);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
