using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using DirectoryConnector.TestSupport.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.TestSupport.Oidc;

/// <summary>
/// A loopback OpenID Connect issuer over HTTPS (a throwaway CA, <see cref="CaPem"/>) whose issuer identifier has a
/// path, as Keycloak's and Dex's do (<c>https://127.0.0.1:port/realms/corp</c>):
/// <list type="bullet">
/// <item>Discovery (OpenID Connect Discovery 1.0 §4): <c>GET {issuer}/.well-known/openid-configuration</c> only, the
/// metadata of §3 (issuer, endpoints, token_endpoint_auth_methods_supported: <see cref="AuthMethods"/>). Nothing is
/// served at the issuer URL itself: a client that posts its refresh there gets 404.</item>
/// <item>The token endpoint (RFC 6749 §6, refreshing): POST, application/x-www-form-urlencoded, grant_type
/// refresh_token; the client authenticates with one method only (§2.3), the one the metadata lists:
/// client_secret_basic (§2.3.1: id and secret form-encoded, then Basic) or client_secret_post (id and secret in the
/// body). Errors as §5.2: 400 invalid_request / unsupported_grant_type / invalid_grant (unknown, used or revoked
/// refresh token), 401 invalid_client with WWW-Authenticate. Success as §5.1 with Cache-Control: no-store, a new
/// refresh token (rotation: the old one is dead; presenting it again revokes the whole family, as OAuth 2.0 Security BCP
/// §4.14 asks) and a signed id_token (OpenID Connect Core §12.2).</item>
/// </list>
/// Not modelled: the authorization and JWKS endpoints (listed, not served), scope narrowing, other grants.
/// </summary>
public sealed class OidcIssuerStandIn : IAsyncDisposable
{
    private const string RealmPath = "/realms/corp";
    private readonly LoopbackHttpsHost host;
    private readonly RSA key = RSA.Create(2048);
    private readonly ConcurrentQueue<string> requests = new();
    private readonly ConcurrentQueue<string> issuedIdTokens = new();
    private readonly Lock gate = new();
    private string? liveRefreshToken;
    private readonly HashSet<string> deadRefreshTokens = new(StringComparer.Ordinal);
    private int refreshes;

    private OidcIssuerStandIn(LoopbackHttpsHost host, string clientId, string clientSecret, string refreshToken, IReadOnlyList<string> authMethods)
    {
        this.host = host;
        ClientId = clientId;
        ClientSecret = clientSecret;
        liveRefreshToken = refreshToken;
        AuthMethods = authMethods;
    }

    public string ClientId { get; }

    public string ClientSecret { get; }

    /// <summary>token_endpoint_auth_methods_supported; the first is what a request must use.</summary>
    public IReadOnlyList<string> AuthMethods { get; }

    /// <summary>https://127.0.0.1:port/realms/corp: the kubeconfig's idp-issuer-url.</summary>
    public string Issuer { get; private set; } = "";

    public string CaPem => host.CaPem;

    /// <summary>The refresh token the issuer accepts now (null once the family was revoked).</summary>
    public string? LiveRefreshToken { get { lock (gate) { return liveRefreshToken; } } }

    /// <summary>Successful refreshes.</summary>
    public int Refreshes => Volatile.Read(ref refreshes);

    /// <summary>Every id_token the token endpoint issued, oldest first.</summary>
    public IReadOnlyList<string> IssuedIdTokens => [.. issuedIdTokens];

    /// <summary>"METHOD /path → status" of every request, oldest first.</summary>
    public IReadOnlyList<string> Requests => [.. requests];

    /// <summary>Starts an issuer for one confidential client holding <paramref name="refreshToken"/>.</summary>
    public static async Task<OidcIssuerStandIn> StartAsync(string clientId, string clientSecret, string refreshToken, params string[] authMethods)
    {
        var host = LoopbackHttpsHost.Create("OIDC Issuer Stand-in Test CA");
        var issuer = new OidcIssuerStandIn(host, clientId, clientSecret, refreshToken, authMethods.Length == 0 ? ["client_secret_basic"] : authMethods);
        host.App.Run(issuer.HandleAsync);
        var baseUrl = await host.StartAsync().ConfigureAwait(false);
        issuer.Issuer = baseUrl.ToString().TrimEnd('/') + RealmPath;
        return issuer;
    }

    /// <summary>An id_token of this issuer for <see cref="ClientId"/> expiring at <paramref name="expires"/> (may be past).</summary>
    public string IdToken(DateTimeOffset expires)
    {
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var issuedAt = expires.AddHours(-1);
        return handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = ClientId,
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", "operator-developer")]),
            IssuedAt = issuedAt.UtcDateTime,
            NotBefore = issuedAt.UtcDateTime,
            Expires = expires.UtcDateTime,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key) { KeyId = "stand-in" }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
        key.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "";
        if (path == RealmPath + "/.well-known/openid-configuration" && HttpMethods.IsGet(request.Method))
        {
            await WriteJsonAsync(context, 200, Metadata()).ConfigureAwait(false);
        }
        else if (path == RealmPath + "/protocol/openid-connect/token")
        {
            await TokenAsync(context).ConfigureAwait(false);
        }
        else
        {
            context.Response.StatusCode = path == RealmPath + "/.well-known/openid-configuration" ? 405 : 404;
        }

        requests.Enqueue($"{request.Method} {path} → {context.Response.StatusCode}");
    }

    private JsonObject Metadata() => new()
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = Issuer + "/protocol/openid-connect/auth",
        ["token_endpoint"] = Issuer + "/protocol/openid-connect/token",
        ["jwks_uri"] = Issuer + "/protocol/openid-connect/certs",
        ["response_types_supported"] = new JsonArray("code"),
        ["subject_types_supported"] = new JsonArray("public"),
        ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
        ["grant_types_supported"] = new JsonArray("authorization_code", "refresh_token"),
        ["token_endpoint_auth_methods_supported"] = new JsonArray([.. AuthMethods.Select(m => (JsonNode?)m)]),
    };

    private async Task TokenAsync(HttpContext context)
    {
        var request = context.Request;
        if (!HttpMethods.IsPost(request.Method))
        {
            context.Response.StatusCode = 405;
            return;
        }

        if (!request.HasFormContentType || !string.Equals(request.ContentType?.Split(';')[0].Trim(), "application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await ErrorAsync(context, 400, "invalid_request", "the token request must be application/x-www-form-urlencoded").ConfigureAwait(false);
            return;
        }

        var form = await request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (form.Keys.Any(k => form[k].Count > 1))
        {
            await ErrorAsync(context, 400, "invalid_request", "a parameter was sent more than once").ConfigureAwait(false);
            return;
        }

        var basic = AuthenticationHeaderValue.TryParse(request.Headers.Authorization, out var header) && header.Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase) ? header.Parameter : null;
        var posted = form.ContainsKey("client_secret");
        if (basic is not null && posted)
        {
            await ErrorAsync(context, 400, "invalid_request", "more than one client authentication method").ConfigureAwait(false);
            return;
        }

        var method = AuthMethods[0];
        string? id = null, secret = null;
        if (method == "client_secret_basic" && basic is not null && TryDecodeBasic(basic, out var basicId, out var basicSecret))
        {
            (id, secret) = (basicId, basicSecret);
        }
        else if (method == "client_secret_post" && posted)
        {
            (id, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        }

        if (id != ClientId || secret != ClientSecret)
        {
            if (basic is not null)
            {
                context.Response.Headers.WWWAuthenticate = "Basic realm=\"corp\"";
            }

            await ErrorAsync(context, 401, "invalid_client", $"client authentication failed (this client must use {method})").ConfigureAwait(false);
            return;
        }

        if (form["grant_type"] != "refresh_token")
        {
            await ErrorAsync(context, 400, "unsupported_grant_type", "only refresh_token is served").ConfigureAwait(false);
            return;
        }

        var presented = form["refresh_token"].ToString();
        string next;
        lock (gate)
        {
            if (presented.Length == 0 || presented != liveRefreshToken)
            {
                if (deadRefreshTokens.Contains(presented) && liveRefreshToken is not null)
                {
                    // A used refresh token again: someone replays it; revoke the family (OAuth 2.0 Security BCP §4.14.2).
                    deadRefreshTokens.Add(liveRefreshToken);
                    liveRefreshToken = null;
                }

                next = "";
            }
            else
            {
                deadRefreshTokens.Add(presented);
                next = liveRefreshToken = "rt-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            }
        }

        if (next.Length == 0)
        {
            await ErrorAsync(context, 400, "invalid_grant", "the refresh token is invalid, expired or revoked").ConfigureAwait(false);
            return;
        }

        var idToken = IdToken(DateTimeOffset.UtcNow.AddHours(1));
        issuedIdTokens.Enqueue(idToken);
        Interlocked.Increment(ref refreshes);
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.Pragma = "no-cache";
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["access_token"] = "at-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)),
            ["token_type"] = "Bearer",
            ["expires_in"] = 300,
            ["refresh_token"] = next,
            ["id_token"] = idToken,
            ["scope"] = "openid",
        }).ConfigureAwait(false);
    }

    // RFC 6749 §2.3.1: the id and secret are form-urlencoded before they are joined and base64-encoded.
    private static bool TryDecodeBasic(string parameter, out string id, out string secret)
    {
        (id, secret) = ("", "");
        try
        {
            var joined = Encoding.UTF8.GetString(Convert.FromBase64String(parameter));
            var colon = joined.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                return false;
            }

            id = Uri.UnescapeDataString(joined[..colon].Replace('+', ' '));
            secret = Uri.UnescapeDataString(joined[(colon + 1)..].Replace('+', ' '));
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static Task ErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Response.Headers.CacheControl = "no-store";
        return WriteJsonAsync(context, status, new JsonObject { ["error"] = error, ["error_description"] = description });
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }
}
