using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// OAuth 2.0 for a service account with domain-wide delegation
/// (https://developers.google.com/identity/protocols/oauth2/service-account#httprest): an RS256 JWT signed with the JSON
/// key's private key (kid its private_key_id; iss the service account, sub the impersonated administrator, the scopes,
/// aud Google's token URL also when tokenUrl is overridden, an hour of validity) exchanged with the JWT bearer grant
/// (RFC 7523) for an access token, kept until five minutes before it expires or until the API answers 401 to it.
/// <para>Our own rather than Google.Apis.Auth's: that library reads its token response, the JSON key and its JWT
/// through Newtonsoft.Json reflection, which a trimmed Native AOT executable does not keep (googleapis/google-api-dotnet-client
/// #2941, #3022, both open); this is the same protocol with compile-time JSON contracts.</para>
/// </summary>
internal sealed class GoogleServiceAccountCredential : IDisposable
{
    /// <summary>The audience Google checks in every assertion, whatever URL the token request goes to.</summary>
    public const string Audience = "https://oauth2.googleapis.com/token";

    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private static readonly TimeSpan Lifetime = TimeSpan.FromHours(1);
    private static readonly TimeSpan RenewBefore = TimeSpan.FromMinutes(5);
    private readonly SemaphoreSlim gate = new(1, 1);
    private readonly RSA key;
    private readonly SigningCredentials signing;
    private readonly string clientEmail;
    private readonly string subject;
    private readonly string scope;
    private readonly TimeProvider time;
    private (string Value, DateTimeOffset RenewAt)? current;

    private GoogleServiceAccountCredential(RSA key, string? keyId, string clientEmail, string subject, IEnumerable<string> scopes, Uri tokenUrl, TimeProvider time)
    {
        this.key = key;
        signing = new SigningCredentials(new RsaSecurityKey(key) { KeyId = keyId }, SecurityAlgorithms.RsaSha256);
        this.clientEmail = clientEmail;
        this.subject = subject;
        scope = string.Join(' ', scopes);
        TokenUrl = tokenUrl;
        this.time = time;
    }

    /// <summary>Where token requests go (spec tokenUrl, Google's by default).</summary>
    public Uri TokenUrl { get; }

    /// <summary>The credential of <paramref name="serviceAccount"/> acting for <paramref name="subject"/>. Throws
    /// <see cref="FormatException"/> when private_key is not a PEM RSA private key (the message never quotes it).</summary>
    public static GoogleServiceAccountCredential Create(GoogleServiceAccountKey serviceAccount, string subject, IEnumerable<string> scopes, Uri tokenUrl, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(serviceAccount);
        var rsa = RSA.Create();
        try
        {
            // A public key imports too, then fails only when signing: only private-key PEM labels are accepted.
            var pem = serviceAccount.PrivateKey.AsSpan();
            if (!PemEncoding.TryFind(pem, out var fields) || pem[fields.Label] is not ("PRIVATE KEY" or "RSA PRIVATE KEY"))
            {
                throw new FormatException("not a PEM private key");
            }

            rsa.ImportFromPem(pem[fields.Location]);
            return new GoogleServiceAccountCredential(rsa, serviceAccount.PrivateKeyId, serviceAccount.ClientEmail, subject, scopes, tokenUrl, time);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException or FormatException)
        {
            rsa.Dispose();
            throw new FormatException("not a PEM RSA private key");
        }
    }

    /// <summary>A valid access token, from the token endpoint through <paramref name="http"/> when the last one is
    /// about to expire or is <paramref name="rejected"/>. Throws <see cref="GoogleTokenException"/> when the endpoint
    /// refuses or answers something else.</summary>
    /// <param name="rejected">The token the API just answered 401 to, or null; a token other than the current one
    /// (already replaced) asks for nothing new.</param>
    public async Task<string> GetAccessTokenAsync(HttpClient http, string? rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (current is { } token && token.Value != rejected && time.GetUtcNow() < token.RenewAt)
            {
                return token.Value;
            }

            var issued = time.GetUtcNow();
            var response = await RequestAsync(http, issued, cancellationToken).ConfigureAwait(false);
            current = (response.AccessToken!, issued + TimeSpan.FromSeconds(response.ExpiresIn ?? Lifetime.TotalSeconds) - RenewBefore);
            return current.Value.Value;
        }
        finally
        {
            gate.Release();
        }
    }

    public void Dispose()
    {
        gate.Dispose();
        key.Dispose();
    }

    private async Task<GoogleTokenResponse> RequestAsync(HttpClient http, DateTimeOffset now, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, TokenUrl)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                new("assertion", Assertion(now.UtcDateTime)),
            ]),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        GoogleTokenResponse? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, GoogleAuthJsonContext.Default.GoogleTokenResponse);
        }
        catch (JsonException)
        {
            parsed = null;
        }

        if (response.IsSuccessStatusCode && parsed is { AccessToken.Length: > 0 })
        {
            return parsed;
        }

        if (parsed is { Error.Length: > 0 })
        {
            throw new GoogleTokenException(response.StatusCode, parsed.Error, parsed.ErrorDescription);
        }

        // A proxy's page or another server: said by status and media type, never by its body.
        var content = response.Content.Headers.ContentType?.MediaType is { } media ? $"a {media} body" : "a body without a content type";
        throw new GoogleTokenException(response.StatusCode, error: null, description: null,
            $"HTTP {(int)response.StatusCode} with {(response.IsSuccessStatusCode ? "no access_token in " : "")}{content}");
    }

    private string Assertion(DateTime now) => Handler.CreateToken(new SecurityTokenDescriptor
    {
        Issuer = clientEmail,
        Audience = Audience,
        IssuedAt = now,
        Expires = now + Lifetime,
        Subject = new ClaimsIdentity([new Claim("sub", subject), new Claim("scope", scope)]),
        SigningCredentials = signing,
    });
}
