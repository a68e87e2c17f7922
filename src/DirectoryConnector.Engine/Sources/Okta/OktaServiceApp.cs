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
    private AuthenticationHeaderValue? current;
    private DateTimeOffset renewAt;

    public OktaServiceApp(Uri tokenUrl, string clientId, SigningCredentials signing, TimeProvider time)
    {
        this.tokenUrl = tokenUrl;
        this.clientId = clientId;
        this.signing = signing;
        this.time = time;
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

    public async ValueTask<AuthenticationHeaderValue> GetAuthorizationAsync(OktaClient client, bool refresh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        lock (gate)
        {
            if (current is not null && !refresh && time.GetUtcNow() < renewAt)
            {
                return current;
            }
        }

        // Reads are sequential; should two requests race here, each gets a valid token.
        var token = await client.RequestAccessTokenAsync(tokenUrl, ClientAssertion(), Scopes, cancellationToken).ConfigureAwait(false);
        var header = new AuthenticationHeaderValue(token.TokenType ?? "Bearer", token.AccessToken);
        lock (gate)
        {
            current = header;
            renewAt = time.GetUtcNow() + TimeSpan.FromSeconds(Math.Max(0, token.ExpiresIn - 60));
        }

        return header;
    }

    public override string ToString() => $"Okta service app {clientId}";

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
