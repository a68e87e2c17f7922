using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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

namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>
/// A loopback OneLogin API (HTTPS with a throwaway test CA) with an in-memory account that tests change between syncs.
/// <para>Modelled on OneLogin's public docs and SDKs (checked against them, not against our client):</para>
/// <list type="bullet">
/// <item>Token: <c>POST /auth/oauth2/v2/token</c> with <c>{"grant_type":"client_credentials"}</c> and the credential pair as
/// <c>Authorization: Basic base64(id:secret)</c> or <c>client_id:&lt;id&gt;, client_secret:&lt;secret&gt;</c>, or as a form
/// (developers.onelogin.com/api-docs/2/oauth20-tokens/generate-tokens). Answers <c>{access_token, created_at, expires_in: 36000,
/// refresh_token, token_type: "bearer", account_id}</c>; the same token while it is valid ("this request will return the same
/// token set until the token expires or is revoked"). Wrong grant: 400; wrong credentials: 401, both in the v1-style
/// <c>{"status":{"error":true,"code":..,"type":..,"message":..}}</c> body the docs show.</item>
/// <item>Resources accept <c>bearer &lt;token&gt;</c>, <c>Bearer &lt;token&gt;</c> and the v1 form <c>bearer:&lt;token&gt;</c>; a bad or
/// expired token is 401 <c>{"message":"Unauthorized","statusCode":401,"name":"UnauthorizedError"}</c> (api-docs/2/roles/get-role-users).</item>
/// <item><c>GET /api/2/users</c>, <c>/api/2/roles</c>, <c>/api/2/roles/{id}/users</c>: bare JSON arrays; paging by <c>limit</c>,
/// <c>page</c>, <c>cursor</c> with the metadata in response headers (<c>Total-Pages</c>, <c>Total-Count</c>, <c>Current-Page</c>,
/// <c>Page-Items</c>, <c>Before-Cursor</c>, <c>After-Cursor</c>); the cursor encodes <c>limit=..&amp;page=..</c> as the docs' example
/// <c>bGltaXQ9MTAwMCZwYWdlPTM=</c> does, so filters must be sent again with it (api-docs/2/getting-started/using-query-parameters;
/// onelogin-go-sdk PAGINATION_EXAMPLES.md). Search parameters with <c>*</c> wildcards: users by email, username, firstname,
/// lastname, user_ids; roles by name. An unknown role is 404 NotFoundError.</item>
/// <item>Role members as <c>{id, name, username, added_by, added_at, assigned}</c> (api-docs/2/roles/get-role-users); user
/// fields and status/state numbers as onelogin-go-sdk models/user.go.</item>
/// <item>Rate limits: every API answer carries <c>X-RateLimit-Limit</c>, <c>X-RateLimit-Remaining</c> and <c>X-RateLimit-Reset</c>
/// (seconds until the window resets, relative: api-docs/2/oauth20-tokens/get-rate-limit); past the limit, 429.</item>
/// </list>
/// <para>Not documented, chosen here: the 403 body for a credential whose scope cannot read users (ForbiddenError), the 429
/// body (TooManyRequestsError), and unknown query parameters or a malformed cursor answering 400 BadRequestError (the real
/// service may ignore unknown parameters; failing makes a mistyped filter visible in tests). Not modelled: v1 endpoints,
/// sorting, custom attributes, updated_since, the rate_limit endpoint, token revocation by the API.</para>
/// </summary>
public sealed partial class OneLoginStandIn : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] ReadScopes = ["Read Users", "Read All", "Manage Users", "Manage All"];
    private static readonly HashSet<string> UserParameters = ["email", "username", "firstname", "lastname", "user_ids", "fields", "sort", "limit", "page", "cursor"];
    private static readonly HashSet<string> RoleParameters = ["name", "fields", "limit", "page", "cursor"];
    private static readonly HashSet<string> RoleUserParameters = ["name", "include_unassigned", "limit", "page", "cursor"];

    private readonly LoopbackHttpsHost host;
    private readonly OneLoginStandInOptions options;
    private readonly object gate = new();
    private readonly List<OneLoginRequest> requests = [];
    private readonly ConcurrentQueue<(int Status, string PathPrefix)> faults = new();
    private string? token;
    private DateTimeOffset tokenExpires;
    private DateTimeOffset windowStart;
    private int windowCalls;

    private OneLoginStandIn(LoopbackHttpsHost host, OneLoginStandInOptions options, string caPem)
    {
        this.host = host;
        this.options = options;
        CaPem = caPem;
        windowStart = options.Time.GetUtcNow();
    }

    /// <summary>https://127.0.0.1:port: what spec.source.oneLogin.apiUrl names.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The PEM CA that signs the stand-in's certificate (for caSecretRef).</summary>
    public string CaPem { get; }

    public string ClientId => options.ClientId;

    public string ClientSecret => options.ClientSecret;

    public OneLoginStandInAccount Account { get; } = new();

    public IReadOnlyList<OneLoginRequest> Requests
    {
        get
        {
            lock (gate)
            {
                return [.. requests];
            }
        }
    }

    public IReadOnlyList<OneLoginRequest> TokenRequests => [.. Requests.Where(r => r.Path == "/auth/oauth2/v2/token")];

    public IReadOnlyList<OneLoginRequest> ApiRequests => [.. Requests.Where(r => r.Path.StartsWith("/api/2/", StringComparison.Ordinal))];

    public static async Task<OneLoginStandIn> StartAsync(OneLoginStandInOptions? options = null)
    {
        options ??= new OneLoginStandInOptions();
        var host = LoopbackHttpsHost.Create("OneLogin Stand-in Test CA");
        var app = host.App;
        var standIn = new OneLoginStandIn(host, options, host.CaPem);
        app.Use(standIn.RecordAsync);
        app.MapPost("/auth/oauth2/v2/token", standIn.TokenAsync);
        app.MapGet("/api/2/users", context => standIn.ApiAsync(context, UserParameters, standIn.ListUsers));
        app.MapGet("/api/2/roles", context => standIn.ApiAsync(context, RoleParameters, standIn.ListRoles));
        app.MapGet("/api/2/roles/{id}/users", context => standIn.ApiAsync(context, RoleUserParameters, standIn.ListRoleUsers));
        standIn.BaseUrl = await host.StartAsync().ConfigureAwait(false);
        return standIn;
    }

    /// <summary>Invalidates the current access token, as its expiry or a revocation would: the next API call gets 401.</summary>
    public void RevokeTokens()
    {
        lock (gate)
        {
            token = null;
        }
    }

    /// <summary>The next <paramref name="count"/> requests whose path starts with <paramref name="pathPrefix"/> answer
    /// <paramref name="statusCode"/> (401, 403, 429, 500, 503, ...).</summary>
    public void FailNext(int count, int statusCode, string pathPrefix = "/api/2/")
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue((statusCode, pathPrefix));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        var time = options.Time.GetUtcNow();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            lock (gate)
            {
                requests.Add(new OneLoginRequest(time, context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "",
                    context.Request.Headers.Authorization.ToString(), context.Response.StatusCode));
            }
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        if (await InjectedFaultAsync(context).ConfigureAwait(false))
        {
            return;
        }

        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        var contentType = context.Request.ContentType ?? "";
        string? grantType = null;
        string? id = null;
        string? secret = null;
        if (contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                grantType = document.RootElement.TryGetProperty("grant_type", out var grant) && grant.ValueKind == JsonValueKind.String ? grant.GetString() : null;
            }
            catch (JsonException)
            {
                grantType = null;
            }
        }
        else if (contentType.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            var form = QueryHelpers.ParseQuery(body);
            grantType = form.TryGetValue("grant_type", out var grant) ? grant.ToString() : null;
            id = form.TryGetValue("client_id", out var formId) ? formId.ToString() : null;
            secret = form.TryGetValue("client_secret", out var formSecret) ? formSecret.ToString() : null;
        }

        if (grantType != "client_credentials")
        {
            await WriteStatusAsync(context, 400, "bad request", "grant_type is incorrect/absent").ConfigureAwait(false);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(authorization["Basic ".Length..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                (id, secret) = colon < 0 ? (pair, "") : (pair[..colon], pair[(colon + 1)..]);
            }
            catch (FormatException)
            {
                (id, secret) = (null, null);
            }
        }
        else if (ClientPairHeader().Match(authorization) is { Success: true } match)
        {
            (id, secret) = (match.Groups["id"].Value, match.Groups["secret"].Value);
        }

        if (id != options.ClientId || secret is null
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(options.ClientSecret)))
        {
            await WriteStatusAsync(context, 401, "Unauthorized", "Authentication Failure").ConfigureAwait(false);
            return;
        }

        var now = options.Time.GetUtcNow();
        string current;
        DateTimeOffset expires;
        lock (gate)
        {
            if (token is null || tokenExpires <= now)
            {
                token = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
                tokenExpires = now + options.TokenLifetime;
            }

            (current, expires) = (token, tokenExpires);
        }

        await WriteJsonAsync(context, 200, new Dictionary<string, object>
        {
            ["access_token"] = current,
            ["created_at"] = (expires - options.TokenLifetime).ToString("O", CultureInfo.InvariantCulture),
            ["expires_in"] = (int)(expires - now).TotalSeconds,
            ["refresh_token"] = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            ["token_type"] = "bearer",
            ["account_id"] = 555555,
        }).ConfigureAwait(false);
    }

    private async Task ApiAsync(HttpContext context, HashSet<string> allowed, Func<HttpContext, ApiResult> list)
    {
        if (await InjectedFaultAsync(context).ConfigureAwait(false))
        {
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        var presented = BearerHeader().Match(authorization) is { Success: true } bearer ? bearer.Groups["token"].Value : null;
        bool valid;
        lock (gate)
        {
            valid = presented is not null && token is not null && tokenExpires > options.Time.GetUtcNow()
                    && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(token));
        }

        if (!valid)
        {
            await WriteErrorAsync(context, 401, "Unauthorized", "UnauthorizedError").ConfigureAwait(false);
            return;
        }

        if (!ReadScopes.Contains(options.Scope, StringComparer.OrdinalIgnoreCase))
        {
            await WriteErrorAsync(context, 403, "Forbidden", "ForbiddenError").ConfigureAwait(false);
            return;
        }

        if (!CountCall(context))
        {
            await WriteErrorAsync(context, 429, "Too Many Requests", "TooManyRequestsError").ConfigureAwait(false);
            return;
        }

        if (context.Request.Query.Keys.FirstOrDefault(k => !allowed.Contains(k)) is { } unknown)
        {
            await WriteErrorAsync(context, 400, $"Unknown query parameter: {unknown}", "BadRequestError").ConfigureAwait(false);
            return;
        }

        if (!TryPage(context, out var limit, out var page))
        {
            await WriteErrorAsync(context, 400, "Invalid cursor, limit or page", "BadRequestError").ConfigureAwait(false);
            return;
        }

        var result = list(context);
        if (result.NotFound)
        {
            await WriteErrorAsync(context, 404, "The resource with the given id could not be found", "NotFoundError").ConfigureAwait(false);
            return;
        }

        var total = result.Items.Count;
        var pages = Math.Max(1, (total + limit - 1) / limit);
        var headers = context.Response.Headers;
        headers["Total-Count"] = total.ToString(CultureInfo.InvariantCulture);
        headers["Total-Pages"] = pages.ToString(CultureInfo.InvariantCulture);
        headers["Current-Page"] = page.ToString(CultureInfo.InvariantCulture);
        var items = result.Items.Skip((page - 1) * limit).Take(limit).ToList();
        headers["Page-Items"] = items.Count.ToString(CultureInfo.InvariantCulture);
        if (page > 1)
        {
            headers["Before-Cursor"] = Cursor(limit, page - 1);
        }

        if (page < pages)
        {
            headers["After-Cursor"] = Cursor(limit, page + 1);
        }

        await WriteJsonAsync(context, 200, items).ConfigureAwait(false);
    }

    private ApiResult ListUsers(HttpContext context)
    {
        var query = context.Request.Query;
        var ids = query.TryGetValue("user_ids", out var list)
            ? list.ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet()
            : null;
        var users = Account.Users
            .Where(u => Matches(query, "email", u.Email) && Matches(query, "username", u.Username)
                        && Matches(query, "firstname", u.Firstname) && Matches(query, "lastname", u.Lastname)
                        && (ids is null || ids.Contains(u.Id.ToString(CultureInfo.InvariantCulture))))
            .Select(u => (object)new Dictionary<string, object?>
            {
                ["id"] = u.Id,
                ["username"] = u.Username,
                ["email"] = u.Email,
                ["firstname"] = u.Firstname,
                ["lastname"] = u.Lastname,
                ["status"] = u.Status,
                ["state"] = u.State,
                ["directory_id"] = null,
                ["external_id"] = null,
                ["distinguished_name"] = null,
                ["samaccountname"] = null,
                ["userprincipalname"] = null,
                ["member_of"] = null,
                ["group_id"] = null,
                ["created_at"] = "2024-01-02T03:04:05.678Z",
                ["updated_at"] = "2024-01-02T03:04:05.678Z",
            })
            .ToList();
        return new ApiResult(users, NotFound: false);
    }

    private ApiResult ListRoles(HttpContext context) =>
        new([.. Account.Roles.Where(r => Matches(context.Request.Query, "name", r.Name)).Select(r => (object)new { id = r.Id, name = r.Name })], NotFound: false);

    private ApiResult ListRoleUsers(HttpContext context)
    {
        if (!long.TryParse((string?)context.Request.RouteValues["id"], NumberStyles.None, CultureInfo.InvariantCulture, out var id)
            || Account.FindRole(id) is not { } role)
        {
            return new ApiResult([], NotFound: true);
        }

        var members = role.UserIds.Order().Select(Account.FindUser).OfType<OneLoginStandInUser>()
            .Select(u => (object)new Dictionary<string, object?>
            {
                ["id"] = u.Id,
                ["name"] = $"{u.Firstname} {u.Lastname}".Trim(),
                ["username"] = u.Username,
                ["added_by"] = new { id = 678, name = "Susan Boss" },
                ["added_at"] = "2019-12-27T00:00:00Z",
                ["assigned"] = true,
            })
            .ToList();
        return new ApiResult(members, NotFound: false);
    }

    /// <summary>Case-insensitive match with * wildcards; true when the parameter is absent.</summary>
    private static bool Matches(IQueryCollection query, string name, string? value)
    {
        if (!query.TryGetValue(name, out var pattern))
        {
            return true;
        }

        var expression = "^" + string.Join(".*", pattern.ToString().Split('*').Select(Regex.Escape)) + "$";
        return value is not null && Regex.IsMatch(value, expression, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    }

    private bool TryPage(HttpContext context, out int limit, out int page)
    {
        var query = context.Request.Query;
        var limitText = query.TryGetValue("limit", out var l) ? l.ToString() : null;
        var pageText = query.TryGetValue("page", out var p) ? p.ToString() : null;
        if (query.TryGetValue("cursor", out var cursor))
        {
            try
            {
                var decoded = QueryHelpers.ParseQuery(Encoding.UTF8.GetString(Convert.FromBase64String(cursor.ToString())));
                limitText = decoded.TryGetValue("limit", out var cl) ? cl.ToString() : null;
                pageText = decoded.TryGetValue("page", out var cp) ? cp.ToString() : null;
                if (limitText is null || pageText is null)
                {
                    (limit, page) = (0, 0);
                    return false;
                }
            }
            catch (FormatException)
            {
                (limit, page) = (0, 0);
                return false;
            }
        }

        limit = options.DefaultPageSize;
        page = 1;
        if ((limitText is not null && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
            || (pageText is not null && (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1)))
        {
            return false;
        }

        limit = Math.Min(limit, options.MaxPageSize);
        return true;
    }

    private static string Cursor(int limit, int page) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"limit={limit}&page={page}")));

    /// <summary>Counts an API call against the window and writes the X-RateLimit-* headers. False when over the limit.</summary>
    private bool CountCall(HttpContext context)
    {
        var now = options.Time.GetUtcNow();
        int remaining;
        TimeSpan reset;
        bool allowed;
        lock (gate)
        {
            if (now - windowStart >= options.RateLimitWindow)
            {
                windowStart = now;
                windowCalls = 0;
            }

            var limit = options.RateLimit ?? 5000;
            allowed = options.RateLimit is null || windowCalls < limit;
            if (allowed)
            {
                windowCalls++;
            }

            remaining = options.RateLimit is null ? limit - 1 : Math.Max(0, limit - windowCalls);
            reset = windowStart + options.RateLimitWindow - now;
        }

        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = (options.RateLimit ?? 5000).ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = remaining.ToString(CultureInfo.InvariantCulture);
        headers["X-RateLimit-Reset"] = ((int)Math.Ceiling(reset.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        return allowed;
    }

    private async Task<bool> InjectedFaultAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "";
        if (!faults.TryPeek(out var fault) || !path.StartsWith(fault.PathPrefix, StringComparison.Ordinal) || !faults.TryDequeue(out fault))
        {
            return false;
        }

        switch (fault.Status)
        {
            case 429:
                context.Response.Headers["X-RateLimit-Limit"] = "5000";
                context.Response.Headers["X-RateLimit-Remaining"] = "0";
                context.Response.Headers["X-RateLimit-Reset"] = "1";
                await WriteErrorAsync(context, 429, "Too Many Requests", "TooManyRequestsError").ConfigureAwait(false);
                break;
            case 401:
                await WriteErrorAsync(context, 401, "Unauthorized", "UnauthorizedError").ConfigureAwait(false);
                break;
            case 403:
                await WriteErrorAsync(context, 403, "Forbidden", "ForbiddenError").ConfigureAwait(false);
                break;
            case >= 502 and <= 504:
                context.Response.StatusCode = fault.Status;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync($"<html><body><h1>{fault.Status}</h1></body></html>").ConfigureAwait(false);
                break;
            default:
                await WriteErrorAsync(context, fault.Status, "Internal Server Error", "InternalServerError").ConfigureAwait(false);
                break;
        }

        return true;
    }

    /// <summary>The v2 error body: {"message", "statusCode", "name"}.</summary>
    private static Task WriteErrorAsync(HttpContext context, int statusCode, string message, string name) =>
        WriteJsonAsync(context, statusCode, new Dictionary<string, object> { ["message"] = message, ["statusCode"] = statusCode, ["name"] = name });

    /// <summary>The token endpoint's error body: {"status":{"error":true,"code","type","message"}}.</summary>
    private static Task WriteStatusAsync(HttpContext context, int statusCode, string type, string message) =>
        WriteJsonAsync(context, statusCode, new { status = new { error = true, code = statusCode, type, message } });

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, object body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json)).ConfigureAwait(false);
    }

    [GeneratedRegex(@"^\s*client_id:\s*(?<id>[^,\s]*)\s*,\s*client_secret:\s*(?<secret>\S*)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex ClientPairHeader();

    [GeneratedRegex(@"^bearer(?::|\s+)(?<token>\S+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BearerHeader();

    private sealed record ApiResult(IReadOnlyList<object> Items, bool NotFound);
}
