using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using DirectoryConnector.TestSupport.Bitwarden;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Ldap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectoryConnector.TestSupport.Okta;

/// <summary>
/// A loopback Okta org over HTTPS (a throwaway CA, <see cref="CaPem"/>), following Okta's documented Management API:
/// <list type="bullet">
/// <item>Auth: <c>Authorization: SSWS {token}</c> (developer.okta.com/docs/guides/create-an-api-token), or a Bearer
/// access token from the org authorization server <c>POST /oauth2/v1/token</c> with client_credentials and a
/// private_key_jwt client assertion (developer.okta.com/docs/guides/implement-oauth-for-okta-serviceapp): the JWT's
/// signature is verified against the registered public key, iss = sub = client_id, aud = the token URL, exp within
/// an hour, jti not reused; scopes okta.users.read / okta.groups.read are enforced per endpoint. 401 E0000011 for an
/// unknown token, 403 E0000006 for a missing permission or scope (with WWW-Authenticate insufficient_scope).</item>
/// <item>DPoP (RFC 9449, developer.okta.com/docs/guides/dpop), for an app registered with requireDpop as Okta creates API
/// Services apps by default: a token request without a <c>DPoP</c> header is 400 invalid_dpop_proof "The DPoP proof JWT
/// header is missing."; a valid proof (typ dpop+jwt, asymmetric alg, public jwk, signature, htm, htu without query,
/// fresh iat, unused jti) without a current nonce of the org is 400 use_dpop_nonce with a <c>DPoP-Nonce</c> header (Okta
/// renews the nonce every 24 hours and accepts each for three days after it was issued; <see cref="RetireDpopNonces"/>
/// stands for those three days passing); then the token
/// is token_type DPoP, bound to the key's RFC 7638 thumbprint. API calls must then send <c>Authorization: DPoP</c> and a
/// fresh proof with <c>ath</c> and no nonce (Okta: "nonce isn't currently required"); a missing or wrong proof, or the
/// token sent as Bearer, is 401 with <c>WWW-Authenticate: DPoP error="invalid_dpop_proof"</c> (RFC 9449 §7.1; the body is
/// this stand-in's choice, E0000011).</item>
/// <item>Users <c>GET /api/v1/users</c> (developer.okta.com/docs/api/openapi/okta-management/management/tag/User/#tag/User/operation/listUsers):
/// the plain list hides DEPROVISIONED users, <c>filter</c> and <c>search</c> include them; <c>filter</c> accepts only
/// status, lastUpdated, id, profile.login, profile.email, profile.firstName, profile.lastName with eq (lastUpdated
/// also gt/ge/lt/le), anything else is 400 E0000031; <c>search</c> takes any profile attribute and id, status,
/// created, activated, statusChanged, lastUpdated, type.id, with eq/sw/pr/gt/ge/lt/le and co (only on profile.firstName,
/// lastName, email and login), no ne.</item>
/// <item>Groups <c>GET /api/v1/groups</c> (filter on id, type, lastUpdated, lastMembershipUpdated; search on profile,
/// type, created, lastUpdated, lastMembershipUpdated, source.id), types OKTA_GROUP, APP_GROUP and BUILT_IN (Everyone);
/// members <c>GET /api/v1/groups/{id}/users</c> (404 E0000007 for an unknown group).</item>
/// <item>Paging (developer.okta.com/docs/api/#pagination): <c>limit</c> and an opaque <c>after</c> cursor; the next
/// page's absolute URL only in <c>Link: &lt;…&gt;; rel="next"</c> (separate self and next headers, or one comma-joined).</item>
/// <item>Rate limits (developer.okta.com/docs/reference/rl-best-practices): X-Rate-Limit-Limit / -Remaining / -Reset
/// (UTC epoch seconds) on every response, per endpoint bucket; over the limit 429 E0000047.</item>
/// </list>
/// Not modelled: concurrency limits, a DPoP header sent for an app that does not require DPoP (ignored), <c>q</c>, <c>expand</c>, sortBy, search's eventual consistency,
/// deactivation's effect on app assignments, the System Log. Error bodies carry errorCode, errorSummary, errorLink,
/// errorId and errorCauses as Okta's do; the errorCauses texts for filter errors are this stand-in's wording.
/// </summary>
public sealed class OktaStandIn : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] UserFilterProperties = ["status", "lastUpdated", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName"];
    private static readonly string[] UserSearchProperties = ["id", "status", "created", "activated", "statusChanged", "lastUpdated", "type.id"];
    private static readonly string[] GroupFilterProperties = ["id", "type", "lastUpdated", "lastMembershipUpdated"];
    private static readonly string[] GroupSearchProperties = ["id", "type", "created", "lastUpdated", "lastMembershipUpdated", "source.id"];
    private static readonly string[] ContainsProperties = ["profile.firstName", "profile.lastName", "profile.email", "profile.login"];
    private static readonly string[] DateProperties = ["created", "activated", "statusChanged", "lastUpdated", "lastMembershipUpdated"];

    private readonly LoopbackHttpsHost host;
    private readonly OktaStandInOptions options;
    private readonly ConcurrentDictionary<string, ServiceApp> serviceApps = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (DateTimeOffset Expires, string[] Scopes, string? BoundKey)> accessTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> usedJwtIds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> usedProofIds = new(StringComparer.Ordinal);
    private readonly object nonceGate = new();
    private readonly List<(string Value, DateTimeOffset Issued, bool Retired)> dpopNonces = [];
    private readonly ConcurrentDictionary<string, (long Window, int Count)> buckets = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<int> faults = new();
    private readonly object logGate = new();
    private readonly List<RecordedRequest> requests = [];
    private int tokenRequestCount;

    private OktaStandIn(LoopbackHttpsHost host, OktaStandInOptions options, string caPem)
    {
        this.host = host;
        this.options = options;
        CaPem = caPem;
        Directory = new OktaStandInDirectory(options.Time);
    }

    /// <summary>The org URL, e.g. https://127.0.0.1:41234 (a port, as a custom domain or proxy may have).</summary>
    public Uri OrgUrl { get; private set; } = null!;

    public Uri TokenUrl => new(OrgUrl, "/oauth2/v1/token");

    /// <summary>The CA that signed the server certificate, for spec.source.okta.caSecretRef.</summary>
    public string CaPem { get; }

    public string ApiToken => options.ApiToken;

    public OktaStandInDirectory Directory { get; }

    /// <summary>Every request, in arrival order (path and query as sent, status answered).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (logGate)
            {
                return [.. requests];
            }
        }
    }

    public static async Task<OktaStandIn> StartAsync(OktaStandInOptions? options = null)
    {
        options ??= new OktaStandInOptions();
        var host = LoopbackHttpsHost.Create("Okta Stand-in Test CA");
        var app = host.App;
        var standIn = new OktaStandIn(host, options, host.CaPem);
        app.Use(standIn.RecordAsync);
        app.MapPost("/oauth2/v1/token", standIn.TokenAsync);
        app.MapGet("/api/v1/users", standIn.ListUsersAsync);
        app.MapGet("/api/v1/groups", standIn.ListGroupsAsync);
        app.MapGet("/api/v1/groups/{groupId}/users", standIn.ListGroupUsersAsync);
        standIn.OrgUrl = await host.StartAsync().ConfigureAwait(false);
        return standIn;
    }

    /// <summary>Registers an API Services app whose JWKS holds <paramref name="publicKey"/> and which was granted
    /// <paramref name="grantedScopes"/> (and a read-only admin role unless <paramref name="hasAdminRole"/> is false);
    /// <paramref name="requireDpop"/> is its "Require DPoP header in token requests" setting.</summary>
    public void RegisterServiceApp(string clientId, SecurityKey publicKey, IReadOnlyList<string> grantedScopes, bool hasAdminRole = true, bool requireDpop = false) =>
        serviceApps[clientId] = new ServiceApp(publicKey, [.. grantedScopes], hasAdminRole, requireDpop);

    /// <summary>Makes every access token issued so far expired, as if an hour had passed.</summary>
    public void ExpireAccessTokens()
    {
        foreach (var token in accessTokens.Keys)
        {
            accessTokens[token] = accessTokens[token] with { Expires = DateTimeOffset.MinValue };
        }
    }

    /// <summary>The DPoP nonce the token endpoint hands out now (a new one every 24 hours of <see cref="OktaStandInOptions.Time"/>).</summary>
    public string DpopNonce
    {
        get
        {
            lock (nonceGate)
            {
                var now = options.Time.GetUtcNow();
                if (dpopNonces.Count == 0 || dpopNonces[^1].Retired || now - dpopNonces[^1].Issued >= TimeSpan.FromHours(24))
                {
                    dpopNonces.Add((Convert.ToHexString(RandomNumberGenerator.GetBytes(16)), now, false));
                }

                return dpopNonces[^1].Value;
            }
        }
    }

    /// <summary>Every DPoP nonce issued so far stops being accepted, as three days after it was issued; the next
    /// use_dpop_nonce answer carries a new one.</summary>
    public void RetireDpopNonces()
    {
        lock (nonceGate)
        {
            for (var i = 0; i < dpopNonces.Count; i++)
            {
                dpopNonces[i] = dpopNonces[i] with { Retired = true };
            }
        }
    }

    /// <summary>Called with the 1-based number of each token request as it arrives, before it is answered.</summary>
    public Action<int>? OnTokenRequest { get; set; }

    /// <summary>The next <paramref name="count"/> API requests answer <paramref name="statusCode"/> (500 E0000009, 502/503 from a
    /// proxy, 429 E0000047 as when another client of the org spent the bucket: Remaining 0 until the next window).</summary>
    public void FailNext(int count, int statusCode)
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue(statusCode);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        context.Items["body"] = body;
        var time = options.Time.GetUtcNow();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            lock (logGate)
            {
                requests.Add(new RecordedRequest(time, context.Request.Method, context.Request.Path.Value + context.Request.QueryString.Value, headers, body,
                    context.RequestAborted.IsCancellationRequested ? 0 : context.Response.StatusCode, context.Items["note"] as string));
            }
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        OnTokenRequest?.Invoke(Interlocked.Increment(ref tokenRequestCount));
        if (await ThrottleAsync(context, "/oauth2/v1/token").ConfigureAwait(false))
        {
            return;
        }

        var form = QueryHelpers.ParseQuery((string)context.Items["body"]!).ToDictionary(f => f.Key, f => f.Value.ToString(), StringComparer.Ordinal);
        string Field(string name) => form.TryGetValue(name, out var value) ? value : "";
        if (!(context.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await OAuthErrorAsync(context, 400, "invalid_request", "The request must be application/x-www-form-urlencoded.").ConfigureAwait(false);
            return;
        }

        if (Field("grant_type") != "client_credentials")
        {
            await OAuthErrorAsync(context, 400, "unsupported_grant_type", $"The authorization grant type is not supported by the authorization server. Configured grant types: [client_credentials].").ConfigureAwait(false);
            return;
        }

        if (Field("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" || Field("client_assertion").Length == 0)
        {
            await OAuthErrorAsync(context, 401, "invalid_client", "Client authentication failed: Okta-scoped tokens need private_key_jwt client authentication.").ConfigureAwait(false);
            return;
        }

        var assertion = new JsonWebToken(Field("client_assertion"));
        var clientId = assertion.Issuer;
        if (!serviceApps.TryGetValue(clientId, out var serviceApp))
        {
            await OAuthErrorAsync(context, 401, "invalid_client", "The client_id is invalid.").ConfigureAwait(false);
            return;
        }

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(assertion, new TokenValidationParameters
        {
            ValidIssuer = clientId,
            ValidAudience = TokenUrl.AbsoluteUri,
            IssuerSigningKey = serviceApp.PublicKey,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.Zero,
            LifetimeValidator = (notBefore, expires, _, _) => expires > options.Time.GetUtcNow().UtcDateTime && expires <= options.Time.GetUtcNow().UtcDateTime.AddHours(1),
        }).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            var description = validation.Exception switch
            {
                SecurityTokenInvalidSignatureException or SecurityTokenSignatureKeyNotFoundException => "The client_assertion signature is invalid.",
                SecurityTokenInvalidAudienceException => "The audience claim for client_assertion must be the endpoint invoked for the request.",
                SecurityTokenInvalidLifetimeException or SecurityTokenExpiredException => "The client_assertion token is expired.",
                _ => "The client_assertion is invalid.",
            };
            await OAuthErrorAsync(context, 401, "invalid_client", description).ConfigureAwait(false);
            return;
        }

        if (assertion.Subject != clientId || string.IsNullOrEmpty(assertion.Id) || !usedJwtIds.TryAdd(assertion.Id, true))
        {
            await OAuthErrorAsync(context, 401, "invalid_client", string.IsNullOrEmpty(assertion.Id) || usedJwtIds.ContainsKey(assertion.Id)
                ? "The client_assertion token has already been used or lacks a jti claim."
                : "The sub claim of client_assertion must be the client_id.").ConfigureAwait(false);
            return;
        }

        string? boundKey = null;
        if (serviceApp.RequireDpop)
        {
            var proof = context.Request.Headers["DPoP"].ToString();
            if (proof.Length == 0)
            {
                await OAuthErrorAsync(context, 400, "invalid_dpop_proof", "The DPoP proof JWT header is missing.").ConfigureAwait(false);
                return;
            }

            var (thumbprint, problem, nonce) = await CheckProofAsync(proof, "POST", TokenUrl, accessToken: null).ConfigureAwait(false);
            if (problem is not null)
            {
                await OAuthErrorAsync(context, 400, "invalid_dpop_proof", problem).ConfigureAwait(false);
                return;
            }

            if (!IsCurrentNonce(nonce))
            {
                context.Response.Headers["DPoP-Nonce"] = DpopNonce;
                await OAuthErrorAsync(context, 400, "use_dpop_nonce", "Authorization server requires nonce in DPoP proof.").ConfigureAwait(false);
                return;
            }

            boundKey = thumbprint;
        }

        var scopes = Field("scope").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var notGranted = scopes.Where(s => !serviceApp.GrantedScopes.Contains(s)).ToArray();
        if (scopes.Length == 0 || notGranted.Length > 0)
        {
            await OAuthErrorAsync(context, 400, "invalid_scope", $"The following scopes were requested, but not granted: {string.Join(' ', notGranted)}").ConfigureAwait(false);
            return;
        }

        var token = "eyJraWQiOiJzdGFuZGluIn0." + Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        accessTokens[token] = (options.Time.GetUtcNow().AddHours(1), serviceApp.HasAdminRole ? scopes : [], boundKey);
        await WriteJsonAsync(context, 200, new { token_type = boundKey is null ? "Bearer" : "DPoP", expires_in = 3600, access_token = token, scope = string.Join(' ', scopes) }).ConfigureAwait(false);
    }

    private async Task ListUsersAsync(HttpContext context)
    {
        if (await GuardAsync(context, "/api/v1/users", "okta.users.read").ConfigureAwait(false))
        {
            return;
        }

        var (expression, isFilter) = await ExpressionAsync(context, UserFilterProperties, UserSearchProperties, ContainsProperties).ConfigureAwait(false);
        if (context.Response.HasStarted)
        {
            return;
        }

        var users = Directory.Users.Where(u => expression is null
            ? u.Status != "DEPROVISIONED"
            : expression.Matches(attribute => UserValue(u, attribute), caseSensitive: isFilter));
        await WritePageAsync(context, users, u => u.Id, UserJson, defaultLimit: 200, maxLimit: 200).ConfigureAwait(false);
    }

    private async Task ListGroupsAsync(HttpContext context)
    {
        if (await GuardAsync(context, "/api/v1/groups", "okta.groups.read").ConfigureAwait(false))
        {
            return;
        }

        var (expression, isFilter) = await ExpressionAsync(context, GroupFilterProperties, GroupSearchProperties, containsProperties: null).ConfigureAwait(false);
        if (context.Response.HasStarted)
        {
            return;
        }

        var groups = Directory.Groups.Where(g => expression is null || expression.Matches(attribute => GroupValue(g, attribute), caseSensitive: isFilter));
        await WritePageAsync(context, groups, g => g.Id, GroupJson, defaultLimit: 10000, maxLimit: 10000).ConfigureAwait(false);
    }

    private async Task ListGroupUsersAsync(HttpContext context, string groupId)
    {
        if (await GuardAsync(context, "/api/v1/groups/{id}/users", "okta.groups.read").ConfigureAwait(false))
        {
            return;
        }

        if (Directory.FindGroup(groupId) is not { } group)
        {
            await ErrorAsync(context, 404, "E0000007", $"Not found: Resource not found: {groupId} (UserGroup)").ConfigureAwait(false);
            return;
        }

        var members = Directory.MembersOf(group).Select(Directory.FindUser).OfType<OktaStandInUser>();
        await WritePageAsync(context, members, u => u.Id, UserJson, defaultLimit: 1000, maxLimit: 1000).ConfigureAwait(false);
    }

    /// <summary>Injected faults, rate limit, then authentication and authorization. True when the request was answered.</summary>
    private async Task<bool> GuardAsync(HttpContext context, string bucket, string scope)
    {
        if (faults.TryDequeue(out var fault))
        {
            context.Items["note"] = "injected fault";
            if (fault == 429)
            {
                var seconds = options.RateLimitWindowSeconds;
                var window = options.Time.GetUtcNow().ToUnixTimeSeconds() / seconds;
                context.Response.Headers["X-Rate-Limit-Limit"] = options.DefaultRateLimit.ToString(CultureInfo.InvariantCulture);
                context.Response.Headers["X-Rate-Limit-Remaining"] = "0";
                context.Response.Headers["X-Rate-Limit-Reset"] = ((window + 1) * seconds).ToString(CultureInfo.InvariantCulture);
                await ErrorAsync(context, 429, "E0000047", "API call exceeded rate limit due to too many requests.").ConfigureAwait(false);
            }
            else if (fault == 500)
            {
                await ErrorAsync(context, 500, "E0000009", "Internal Server Error").ConfigureAwait(false);
            }
            else
            {
                context.Response.StatusCode = fault;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync($"<html><body><h1>{fault} Service Unavailable</h1></body></html>").ConfigureAwait(false);
            }

            return true;
        }

        if (await ThrottleAsync(context, bucket).ConfigureAwait(false))
        {
            return true;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("SSWS ", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization[5..]), Encoding.UTF8.GetBytes(options.ApiToken)))
        {
            if (options.ApiTokenLacksPermission)
            {
                await ErrorAsync(context, 403, "E0000006", "You do not have permission to perform the requested action").ConfigureAwait(false);
                return true;
            }

            return false;
        }

        var parts = authorization.Split(' ', 2);
        var (scheme, presented) = (parts[0], parts.Length > 1 ? parts[1] : "");
        if (scheme is "Bearer" or "DPoP"
            && accessTokens.TryGetValue(presented, out var token) && token.Expires > options.Time.GetUtcNow())
        {
            if (token.BoundKey is not null)
            {
                // RFC 9449 §7.1: a DPoP-bound token needs the DPoP scheme and a proof of this request signed by the bound key.
                var proof = context.Request.Headers["DPoP"].ToString();
                var (thumbprint, problem, _) = scheme != "DPoP" ? (null, "A DPoP-bound access token must be sent with the DPoP scheme.", null)
                    : proof.Length == 0 ? (null, "The DPoP proof JWT header is missing.", null)
                    : await CheckProofAsync(proof, context.Request.Method, new Uri(OrgUrl, context.Request.Path.Value), presented).ConfigureAwait(false);
                problem ??= thumbprint == token.BoundKey ? null : "The DPoP proof was not signed by the key the access token is bound to.";
                if (problem is not null)
                {
                    context.Response.Headers.WWWAuthenticate = $"DPoP error=\"invalid_dpop_proof\", error_description=\"{problem}\"";
                    await ErrorAsync(context, 401, "E0000011", "Invalid token provided").ConfigureAwait(false);
                    return true;
                }
            }
            else if (scheme != "Bearer")
            {
                await ErrorAsync(context, 401, "E0000011", "Invalid token provided").ConfigureAwait(false);
                return true;
            }

            if (token.Scopes.Contains(scope))
            {
                return false;
            }

            context.Response.Headers.WWWAuthenticate =
                $"Bearer authorization_uri=\"{OrgUrl}oauth2/v1/authorize\", realm=\"{OrgUrl}\", scope=\"{scope}\", error=\"insufficient_scope\", error_description=\"The access token provided does not contain the required scopes.\", resource=\"{context.Request.Path}\"";
            await ErrorAsync(context, 403, "E0000006", "You do not have permission to perform the requested action").ConfigureAwait(false);
            return true;
        }

        await ErrorAsync(context, 401, "E0000011", "Invalid token provided").ConfigureAwait(false);
        return true;
    }

    /// <summary>Fixed windows per bucket; every answer carries the bucket's X-Rate-Limit-* headers.</summary>
    private async Task<bool> ThrottleAsync(HttpContext context, string bucket)
    {
        var limit = options.RateLimits.TryGetValue(bucket, out var configured) ? configured : options.DefaultRateLimit;
        var seconds = options.RateLimitWindowSeconds;
        var window = options.Time.GetUtcNow().ToUnixTimeSeconds() / seconds;
        var (_, count) = buckets.AddOrUpdate(bucket, _ => (window, 1), (_, current) => current.Window == window ? (window, current.Count + 1) : (window, 1));
        var headers = context.Response.Headers;
        headers["X-Rate-Limit-Limit"] = limit.ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Remaining"] = Math.Max(0, limit - count).ToString(CultureInfo.InvariantCulture);
        headers["X-Rate-Limit-Reset"] = ((window + 1) * seconds).ToString(CultureInfo.InvariantCulture);
        if (count <= limit)
        {
            return false;
        }

        context.Items["note"] = "rate limited";
        await ErrorAsync(context, 429, "E0000047", "API call exceeded rate limit due to too many requests.").ConfigureAwait(false);
        return true;
    }

    /// <summary>Parses filter= or search=; answers 400 E0000031 for bad syntax or a property filter= does not support.</summary>
    /// <param name="containsProperties">The only properties search takes co on (users), or null for no such limit.</param>
    private static async Task<(OktaExpression? Expression, bool IsFilter)> ExpressionAsync(HttpContext context, string[] filterProperties, string[] searchProperties, string[]? containsProperties)
    {
        var query = context.Request.Query;
        var isFilter = query.ContainsKey("filter");
        var text = isFilter ? query["filter"].ToString() : query.ContainsKey("search") ? query["search"].ToString() : null;
        if (text is null)
        {
            return (null, false);
        }

        string? problem = null;
        OktaExpression? expression = null;
        try
        {
            expression = OktaExpression.Parse(text);
            foreach (var comparison in expression.Comparisons())
            {
                var dated = DateProperties.Contains(comparison.Attribute);
                problem ??= isFilter switch
                {
                    true when !filterProperties.Contains(comparison.Attribute) => $"Filtering on {comparison.Attribute} is not supported; use search.",
                    true when comparison.Operator != "eq" && !(dated && comparison.Operator is "gt" or "ge" or "lt" or "le") => $"The operator {comparison.Operator} is not supported on {comparison.Attribute} in a filter.",
                    false when !searchProperties.Contains(comparison.Attribute) && !comparison.Attribute.StartsWith("profile.", StringComparison.Ordinal) => $"Searching on {comparison.Attribute} is not supported.",
                    false when comparison.Operator is "ne" or "ew" => $"The operator {comparison.Operator} is not supported in a search.",
                    false when comparison.Operator == "co" && containsProperties is not null && !containsProperties.Contains(comparison.Attribute) => $"The operator co is supported only on {string.Join(", ", containsProperties)}.",
                    _ => null,
                };
            }
        }
        catch (FormatException error)
        {
            problem = $"Invalid search syntax: {error.Message}.";
        }

        if (query.ContainsKey("filter") && query.ContainsKey("search"))
        {
            problem = "filter and search cannot be combined.";
        }

        if (problem is not null)
        {
            await ErrorAsync(context, 400, "E0000031", "Invalid search criteria.", problem).ConfigureAwait(false);
            return (null, isFilter);
        }

        return (expression, isFilter);
    }

    private async Task WritePageAsync<T>(HttpContext context, IEnumerable<T> items, Func<T, string> id, Func<T, object> json, int defaultLimit, int maxLimit)
    {
        var query = context.Request.Query;
        var limit = defaultLimit;
        if (query.TryGetValue("limit", out var limitText) && (!int.TryParse(limitText, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            await ErrorAsync(context, 400, "E0000001", "Api validation failed: limit", "limit: The limit must be a positive integer.").ConfigureAwait(false);
            return;
        }

        limit = Math.Min(Math.Min(limit, maxLimit), options.MaxPageSize ?? int.MaxValue);
        var after = query.TryGetValue("after", out var cursor) ? Encoding.UTF8.GetString(Base64UrlTextEncoder.Decode(cursor.ToString())) : null;
        var ordered = items.OrderBy(id, StringComparer.Ordinal).Where(i => after is null || string.CompareOrdinal(id(i), after) > 0).ToList();
        var page = ordered.Take(limit).ToList();

        var self = new UriBuilder(new Uri(OrgUrl, context.Request.Path.Value)) { Query = context.Request.QueryString.Value?.TrimStart('?') ?? "" }.Uri;
        var links = new List<string> { $"<{self.AbsoluteUri}>; rel=\"self\"" };
        if (ordered.Count > page.Count)
        {
            var parameters = query.Where(p => p.Key is not ("after" or "limit")).ToDictionary(p => p.Key, p => (string?)p.Value.ToString());
            parameters["after"] = Base64UrlTextEncoder.Encode(Encoding.UTF8.GetBytes(id(page[^1])));
            parameters["limit"] = limit.ToString(CultureInfo.InvariantCulture);
            links.Add($"<{QueryHelpers.AddQueryString(new Uri(OrgUrl, context.Request.Path.Value).AbsoluteUri, parameters)}>; rel=\"next\"");
        }

        if (options.CombineLinkHeaders)
        {
            context.Response.Headers.Link = string.Join(", ", links);
        }
        else
        {
            context.Response.Headers.Link = new Microsoft.Extensions.Primitives.StringValues([.. links]);
        }

        await WriteJsonAsync(context, 200, page.Select(json).ToList()).ConfigureAwait(false);
    }

    private static string? UserValue(OktaStandInUser user, string attribute) => attribute switch
    {
        "id" => user.Id,
        "status" => user.Status,
        "created" => Timestamp(user.Created),
        "activated" => user.Activated is { } activated ? Timestamp(activated) : null,
        "statusChanged" => Timestamp(user.StatusChanged),
        "lastUpdated" => Timestamp(user.LastUpdated),
        "type.id" => "oty0standin0user0type",
        _ when attribute.StartsWith("profile.", StringComparison.Ordinal) => user.Profile.GetValueOrDefault(attribute["profile.".Length..]),
        _ => null,
    };

    private static string? GroupValue(OktaStandInGroup group, string attribute) => attribute switch
    {
        "id" => group.Id,
        "type" => group.Type,
        "created" => Timestamp(group.Created),
        "lastUpdated" => Timestamp(group.LastUpdated),
        "lastMembershipUpdated" => Timestamp(group.LastMembershipUpdated),
        "profile.name" => group.Name,
        "profile.description" => group.Description,
        _ => null,
    };

    private object UserJson(OktaStandInUser user) => new Dictionary<string, object?>
    {
        ["id"] = user.Id,
        ["status"] = user.Status,
        ["created"] = Timestamp(user.Created),
        ["activated"] = user.Activated is { } activated ? Timestamp(activated) : null,
        ["statusChanged"] = Timestamp(user.StatusChanged),
        ["lastLogin"] = null,
        ["lastUpdated"] = Timestamp(user.LastUpdated),
        ["passwordChanged"] = null,
        ["type"] = new { id = "oty0standin0user0type" },
        ["profile"] = new Dictionary<string, string?>(user.Profile),
        ["credentials"] = new { provider = new { type = "OKTA", name = "OKTA" } },
        ["_links"] = new { self = new { href = new Uri(OrgUrl, $"/api/v1/users/{user.Id}").AbsoluteUri } },
    };

    private object GroupJson(OktaStandInGroup group) => new Dictionary<string, object?>
    {
        ["id"] = group.Id,
        ["created"] = Timestamp(group.Created),
        ["lastUpdated"] = Timestamp(group.LastUpdated),
        ["lastMembershipUpdated"] = Timestamp(group.LastMembershipUpdated),
        ["objectClass"] = new[] { group.Type == "APP_GROUP" ? "okta:windows_security_principal" : "okta:user_group" },
        ["type"] = group.Type,
        ["profile"] = new { name = group.Name, description = group.Description },
        ["_links"] = new { users = new { href = new Uri(OrgUrl, $"/api/v1/groups/{group.Id}/users").AbsoluteUri } },
    };

    private static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static Task ErrorAsync(HttpContext context, int statusCode, string code, string summary, string? cause = null) =>
        WriteJsonAsync(context, statusCode, new
        {
            errorCode = code,
            errorSummary = summary,
            errorLink = code,
            errorId = "oae" + Convert.ToHexString(RandomNumberGenerator.GetBytes(9)),
            errorCauses = cause is null ? [] : new[] { new { errorSummary = cause } },
        });

    private static Task OAuthErrorAsync(HttpContext context, int statusCode, string error, string description) =>
        WriteJsonAsync(context, statusCode, new { error, error_description = description });

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, object body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json)).ConfigureAwait(false);
    }

    /// <summary>True for a nonce this org issued less than three days ago and has not retired.</summary>
    private bool IsCurrentNonce(string? nonce)
    {
        var now = options.Time.GetUtcNow();
        lock (nonceGate)
        {
            return nonce is not null && dpopNonces.Exists(n => n.Value == nonce && !n.Retired && now - n.Issued < TimeSpan.FromDays(3));
        }
    }

    /// <summary>Checks a DPoP proof as RFC 9449 §4.3 lists: typ dpop+jwt, an asymmetric alg, a public jwk in the header
    /// that verifies the signature, htm and htu of this request, iat within five minutes, a jti never seen, and ath
    /// when a token is presented. Returns the key's RFC 7638 thumbprint, the problem (null when valid) and the nonce claim.</summary>
    private async Task<(string? Thumbprint, string? Problem, string? Nonce)> CheckProofAsync(string proof, string method, Uri url, string? accessToken)
    {
        JsonWebToken jwt;
        JsonWebKey key;
        try
        {
            jwt = new JsonWebToken(proof);
            using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[0]));
            if (!header.RootElement.TryGetProperty("jwk", out var jwk) || jwk.ValueKind != JsonValueKind.Object)
            {
                return (null, "The DPoP proof has no jwk header.", null);
            }

            key = new JsonWebKey(jwk.GetRawText());
        }
        catch (Exception error) when (error is ArgumentException or JsonException or FormatException or SecurityTokenMalformedException)
        {
            return (null, "The DPoP proof is not a JWT.", null);
        }

        if (jwt.Typ != "dpop+jwt")
        {
            return (null, "The DPoP proof typ must be dpop+jwt.", null);
        }

        if (key.HasPrivateKey || jwt.Alg is not ("RS256" or "RS384" or "RS512" or "ES256" or "ES384" or "ES512" or "PS256" or "PS384" or "PS512"))
        {
            return (null, "The DPoP proof must be signed with an asymmetric algorithm and carry only a public key.", null);
        }

        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = key,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            ValidTypes = ["dpop+jwt"],
        }).ConfigureAwait(false);
        if (!validation.IsValid)
        {
            return (null, "The DPoP proof signature is invalid.", null);
        }

        string? Claim(string name) => jwt.TryGetPayloadValue<object>(name, out var value) ? Convert.ToString(value, CultureInfo.InvariantCulture) : null;
        var now = options.Time.GetUtcNow().ToUnixTimeSeconds();
        var problem = Claim("htm") != method ? $"The DPoP proof htm must be {method}."
            : Claim("htu") != url.GetLeftPart(UriPartial.Path) ? $"The DPoP proof htu must be {url.GetLeftPart(UriPartial.Path)}."
            : !long.TryParse(Claim("iat"), CultureInfo.InvariantCulture, out var iat) || Math.Abs(now - iat) > 300 ? "The DPoP proof iat is missing or not recent."
            : accessToken is not null && Claim("ath") != Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(accessToken))) ? "The DPoP proof ath does not match the access token."
            : Claim("jti") is not { Length: > 0 } jti || !usedProofIds.TryAdd(jti, true) ? "The DPoP proof jti is missing or was already used."
            : null;
        return (Base64UrlEncoder.Encode(key.ComputeJwkThumbprint()), problem, Claim("nonce"));
    }

    private sealed record ServiceApp(SecurityKey PublicKey, string[] GrantedScopes, bool HasAdminRole, bool RequireDpop);
}
