using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.TestSupport.Bitwarden;

public enum StandInEndpoint
{
    Token,
    Import,

    /// <summary>GET and DELETE /public/members.</summary>
    Members,

    /// <summary>GET and DELETE /public/groups, GET /public/groups/{id}/member-ids.</summary>
    Groups,
}

/// <summary>One request the stand-in received, with the status it answered.</summary>
public sealed record RecordedRequest(
    DateTimeOffset Time,
    string Method,
    string Path,
    IReadOnlyDictionary<string, string> Headers,
    string Body,
    int StatusCode,
    string? Note);

/// <summary>
/// A loopback Bitwarden server with the self-hosted URL layout ({base}/identity/connect/token,
/// {base}/api/public/organization/import) and an in-memory organization, faithful to bitwarden-api.md §1.3–1.8.
/// </summary>
public sealed class BitwardenStandIn : IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private static readonly string[] OrganizationScope = ["api.organization"];

    private int hangingRequests;
    private int connections;
    private readonly WebApplication app;
    private readonly BitwardenStandInOptions options;
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentDictionary<string, DateTimeOffset> tokenExpiry = new();
    private readonly ConcurrentDictionary<StandInEndpoint, ConcurrentQueue<Fault>> faults = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<DateTimeOffset>> recentRequests = new();
    private readonly object logGate = new();
    private readonly List<RecordedRequest> requests = [];

    private BitwardenStandIn(WebApplication app, BitwardenStandInOptions options)
    {
        this.app = app;
        this.options = options;
        Organization = new StandInOrganization(options.OrganizationId);
    }

    /// <summary>The base URL to put in spec.bitwarden.serverUrl, e.g. http://127.0.0.1:41234/prefix.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public Uri TokenUrl => new($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/identity/connect/token");

    public Uri ImportUrl => new($"{BaseUrl.AbsoluteUri.TrimEnd('/')}/api/public/organization/import");

    public StandInOrganization Organization { get; }

    public string ClientId => $"organization.{options.OrganizationId:D}";

    public string ClientSecret => options.ClientSecret;

    /// <summary>
    /// A DirectorySync manifest posting to this stand-in, then the Secret with its API key (multi-document YAML), as
    /// the CLI reads them. <paramref name="sourceYaml"/> is what goes under <c>spec.source</c>, one line a key,
    /// without indentation (e.g. <c>file: {path: directory.ldif}</c>); <paramref name="syncYaml"/> is <c>spec.sync</c>.
    /// </summary>
    public string DirectorySyncManifest(string name, string @namespace, string sourceYaml, string? syncYaml = null)
    {
        ArgumentNullException.ThrowIfNull(sourceYaml);
        var source = string.Concat(sourceYaml.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => $"    {line.TrimEnd()}\n"));
        var sync = syncYaml is null ? "" : $"  sync: {syncYaml}\n";
        return $"apiVersion: directoryconnector.dev/v1alpha1\nkind: DirectorySync\nmetadata: {{name: {name}, namespace: {@namespace}}}\nspec:\n"
            + $"  bitwarden:\n    serverUrl: {BaseUrl}\n    apiKeySecretRef: {{name: bitwarden-org-api-key}}\n  source:\n{source}{sync}"
            + $"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: bitwarden-org-api-key, namespace: {@namespace}}}\nstringData:\n"
            + $"  client_id: \"{ClientId}\"\n  client_secret: \"{ClientSecret}\"\n";
    }

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

    public IReadOnlyList<RecordedRequest> TokenRequests => [.. Requests.Where(r => r.Path.EndsWith("/identity/connect/token", StringComparison.Ordinal))];

    public IReadOnlyList<RecordedRequest> ImportRequests => [.. Requests.Where(r => r.Path.EndsWith("/api/public/organization/import", StringComparison.Ordinal))];

    /// <summary>Requests to /public/members and /public/groups (reads and deletes).</summary>
    public IReadOnlyList<RecordedRequest> PublicApiRequests => [.. Requests.Where(r => r.Path.Contains("/api/public/members", StringComparison.Ordinal)
        || r.Path.Contains("/api/public/groups", StringComparison.Ordinal))];

    public static async Task<BitwardenStandIn> StartAsync(BitwardenStandInOptions? options = null)
    {
        options ??= new BitwardenStandInOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        BitwardenStandIn? standIn = null;
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, options.Port, listen =>
        {
            listen.Use(next => connection =>
            {
                Interlocked.Increment(ref standIn!.connections);
                return next(connection);
            });
            if (options.Certificate is { } certificate)
            {
                listen.UseHttps(certificate);
            }
        }));
        var app = builder.Build();
        standIn = new BitwardenStandIn(app, options);
        var prefix = options.PathPrefix.TrimEnd('/');
        app.Use(standIn.RecordAsync);
        app.MapPost(prefix + "/identity/connect/token", standIn.TokenAsync);
        app.MapPost(prefix + "/api/public/organization/import", standIn.ImportAsync);
        app.MapGet(prefix + "/api/public/members", context => standIn.ListAsync(context, StandInEndpoint.Members));
        app.MapGet(prefix + "/api/public/groups", context => standIn.ListAsync(context, StandInEndpoint.Groups));
        app.MapGet(prefix + "/api/public/groups/{id}/member-ids", standIn.GroupMemberIdsAsync);
        app.MapDelete(prefix + "/api/public/members/{id}", context => standIn.DeleteAsync(context, StandInEndpoint.Members));
        app.MapDelete(prefix + "/api/public/groups/{id}", context => standIn.DeleteAsync(context, StandInEndpoint.Groups));
        await app.StartAsync().ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        standIn.BaseUrl = new Uri(address.TrimEnd('/') + prefix);
        return standIn;
    }

    /// <summary>Makes every token issued so far expired, as if an hour had passed.</summary>
    public void ExpireAllTokens()
    {
        foreach (var token in tokenExpiry.Keys)
        {
            tokenExpiry[token] = DateTimeOffset.MinValue;
        }
    }

    /// <summary>The next <paramref name="count"/> requests to the endpoint answer <paramref name="statusCode"/>
    /// (500: Bitwarden's unhandled error; 502/503/504: a proxy's text page; 429: the rate limiter's message).</summary>
    public void FailNext(int count, int statusCode, StandInEndpoint endpoint = StandInEndpoint.Import, string? retryAfter = null)
    {
        for (var i = 0; i < count; i++)
        {
            Faults(endpoint).Enqueue(new Fault(statusCode, retryAfter));
        }
    }

    /// <summary>The next <paramref name="count"/> requests to the endpoint are answered normally (to aim a later fault).</summary>
    public void PassNext(int count, StandInEndpoint endpoint = StandInEndpoint.Import) => FailNext(count, PassFault, endpoint);

    /// <summary>The next <paramref name="count"/> imports are applied, then the connection is reset before the answer:
    /// the client cannot tell whether the server applied the import.</summary>
    public void LoseResponseNext(int count) => FailNext(count, LoseResponseFault, StandInEndpoint.Import);

    /// <summary>When the next request to the endpoint arrives, every token issued so far expires (its answer is then the
    /// server's 401), as when an hour passes in the middle of a batched import.</summary>
    public void ExpireTokensAtNext(StandInEndpoint endpoint = StandInEndpoint.Import) => FailNext(1, ExpireTokensFault, endpoint);

    /// <summary>The next <paramref name="count"/> requests to the endpoint never get an answer (until the client gives up).</summary>
    public void HangNext(int count, StandInEndpoint endpoint = StandInEndpoint.Import) => FailNext(count, 0, endpoint);

    /// <summary>TCP connections accepted, including those whose TLS handshake failed (which never show in <see cref="Requests"/>).</summary>
    public int Connections => Volatile.Read(ref connections);

    /// <summary>Requests held open by <see cref="HangNext"/> right now (a request is logged only when it ends).</summary>
    public int HangingRequests => Volatile.Read(ref hangingRequests);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        stopping.Dispose();
    }

    // Fault codes that are not HTTP statuses: the request goes on to its handler.
    private const int PassFault = -1;
    private const int LoseResponseFault = -2;
    private const int ExpireTokensFault = -3;

    private ConcurrentQueue<Fault> Faults(StandInEndpoint endpoint) => faults.GetOrAdd(endpoint, _ => new ConcurrentQueue<Fault>());

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        context.Items[nameof(Body)] = body;
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
                requests.Add(new RecordedRequest(time, context.Request.Method, context.Request.Path.Value ?? "", headers, body,
                    context.RequestAborted.IsCancellationRequested ? 0 : context.Response.StatusCode, context.Items["note"] as string));
            }
        }
    }

    private static string Body(HttpContext context) => (string)context.Items[nameof(Body)]!;

    private async Task TokenAsync(HttpContext context)
    {
        if (await InterceptAsync(context, StandInEndpoint.Token).ConfigureAwait(false))
        {
            return;
        }

        // Duende reads form fields by their exact OAuth names (case-insensitively: ASP.NET's form collection);
        // Vaultwarden also accepts them without underscores.
        var form = QueryHelpers.ParseQuery(Body(context)).ToDictionary(
            f => (options.RequireDeviceFields ? f.Key.Replace("_", "", StringComparison.Ordinal) : f.Key).ToLowerInvariant(),
            f => f.Value.ToString());
        string Field(string name) => form.TryGetValue(options.RequireDeviceFields ? name : OAuthName(name), out var value) ? value : "";

        if (!(context.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await WriteJsonAsync(context, 400, new { error = "invalid_request", error_description = "Invalid content type" }).ConfigureAwait(false);
            return;
        }

        if (options.RequireDeviceFields)
        {
            foreach (var (key, name) in new[] { ("clientid", "client_id"), ("clientsecret", "client_secret"), ("scope", "scope"),
                         ("deviceidentifier", "device_identifier"), ("devicename", "device_name"), ("devicetype", "device_type") })
            {
                if (string.IsNullOrWhiteSpace(Field(key)))
                {
                    await WriteJsonAsync(context, 400, new { message = $"{name} cannot be blank", @object = "error" }).ConfigureAwait(false);
                    return;
                }
            }
        }

        if (Field("granttype") != "client_credentials")
        {
            await WriteJsonAsync(context, 400, new { error = "unsupported_grant_type" }).ConfigureAwait(false);
            return;
        }

        var secretMatches = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(Field("clientsecret")), Encoding.UTF8.GetBytes(options.ClientSecret));
        if (!IsOrganizationClient(Field("clientid")) || !secretMatches)
        {
            await WriteJsonAsync(context, 400, new { error = "invalid_client" }).ConfigureAwait(false);
            return;
        }

        if (Field("scope") != "api.organization")
        {
            await WriteJsonAsync(context, 400, new { error = "invalid_scope" }).ConfigureAwait(false);
            return;
        }

        var expires = options.Time.GetUtcNow() + options.TokenLifetime;
        var payload = JsonSerializer.SerializeToUtf8Bytes(new { client_id = ClientId, sub = options.OrganizationId, exp = expires.ToUnixTimeSeconds(), scope = OrganizationScope });
        var token = $"eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{Base64Url.EncodeToString(payload)}.{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16))}";
        tokenExpiry[token] = expires;
        await WriteJsonAsync(context, 200, new { access_token = token, expires_in = (int)options.TokenLifetime.TotalSeconds, token_type = "Bearer", scope = "api.organization" })
            .ConfigureAwait(false);
    }

    private static string OAuthName(string key) => key switch
    {
        "granttype" => "grant_type",
        "clientid" => "client_id",
        "clientsecret" => "client_secret",
        _ => key,
    };

    /// <summary>DynamicClientStore: the prefix before the first '.' picks the client provider (ordinal, so
    /// "Organization." is no client), and the rest must parse as the organization's GUID.</summary>
    private bool IsOrganizationClient(string clientId)
    {
        if (options.RequireDeviceFields)
        {
            return string.Equals(clientId, ClientId, StringComparison.OrdinalIgnoreCase);
        }

        return clientId.StartsWith("organization.", StringComparison.Ordinal)
            && Guid.TryParse(clientId["organization.".Length..], out var organizationId) && organizationId == options.OrganizationId;
    }

    /// <summary>JwtBearer: 401 without a live token issued here.</summary>
    private bool Authorized(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !tokenExpiry.TryGetValue(authorization["Bearer ".Length..], out var expiry) || expiry <= options.Time.GetUtcNow())
        {
            context.Response.StatusCode = 401;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return false;
        }

        return true;
    }

    /// <summary>GET /public/members and /public/groups: ListResponseModel {"object":"list","data":[...]}. The real
    /// server returns every item at once; <see cref="BitwardenStandInOptions.ListPageSize"/> pages like the events
    /// endpoint (PagedListResponseModel's continuationToken) to exercise a client that follows it.</summary>
    private async Task ListAsync(HttpContext context, StandInEndpoint endpoint)
    {
        if (await InterceptAsync(context, endpoint).ConfigureAwait(false) || !Authorized(context))
        {
            return;
        }

        object[] items = endpoint == StandInEndpoint.Members
            ? [.. Organization.AllMembers.Select(m => new
            {
                @object = "member", id = m.Id, userId = m.Status == StandInMemberStatus.Invited ? (Guid?)null : m.Id, name = (string?)null,
                email = m.Email, twoFactorEnabled = false, status = (int)m.Status, collections = Array.Empty<object>(),
                resetPasswordEnrolled = false, ssoExternalId = (string?)null, type = (int)m.Type, externalId = m.ExternalId, permissions = (object?)null,
            })]
            : [.. Organization.Groups.Select(g => new { @object = "group", id = g.Id, name = g.Name, externalId = g.ExternalId, collections = Array.Empty<object>() })];

        if (options.ListPageSize is not { } pageSize)
        {
            await WriteJsonAsync(context, 200, new { @object = "list", data = items }).ConfigureAwait(false);
            return;
        }

        var start = int.TryParse(context.Request.Query["continuationToken"], out var offset) ? offset : 0;
        var next = start + pageSize < items.Length ? (start + pageSize).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
        await WriteJsonAsync(context, 200, new { @object = "list", data = items.Skip(start).Take(pageSize), continuationToken = next }).ConfigureAwait(false);
    }

    /// <summary>GET /public/groups/{id}/member-ids (GroupsController.GetMemberIds): a bare JSON array of organization
    /// user ids, 404 for a group of another organization or none.</summary>
    private async Task GroupMemberIdsAsync(HttpContext context)
    {
        if (await InterceptAsync(context, StandInEndpoint.Groups).ConfigureAwait(false) || !Authorized(context))
        {
            return;
        }

        if (!Guid.TryParse(context.Request.RouteValues["id"] as string, out var id) || Organization.Groups.SingleOrDefault(g => g.Id == id) is not { } group)
        {
            // The route constraint is a Guid: anything else is no route, i.e. 404 as well.
            context.Response.StatusCode = 404;
            return;
        }

        await WriteJsonAsync(context, 200, group.MemberIds.ToArray()).ConfigureAwait(false);
    }

    /// <summary>DELETE /public/members/{id} and /public/groups/{id}: 200 with an empty body, 404, or 400.</summary>
    private async Task DeleteAsync(HttpContext context, StandInEndpoint endpoint)
    {
        if (await InterceptAsync(context, endpoint).ConfigureAwait(false) || !Authorized(context))
        {
            return;
        }

        var raw = context.Request.RouteValues["id"] as string;
        try
        {
            if (!Guid.TryParse(raw, out var id))
            {
                throw new StandInHttpException(400, StandInHttpException.ModelStateInvalid, new Dictionary<string, List<string>> { ["id"] = [$"The value '{raw}' is not valid."] });
            }

            if (endpoint == StandInEndpoint.Members)
            {
                Organization.DeleteMember(id);
            }
            else
            {
                Organization.DeleteGroup(id);
            }

            context.Response.StatusCode = 200;
        }
        catch (StandInHttpException error)
        {
            context.Items["note"] = error.Cause;
            await WriteJsonAsync(context, error.StatusCode, new { @object = "error", message = error.Message, errors = error.Errors }).ConfigureAwait(false);
        }
    }

    private async Task ImportAsync(HttpContext context)
    {
        if (await InterceptAsync(context, StandInEndpoint.Import).ConfigureAwait(false) || !Authorized(context))
        {
            return;
        }

        if (!(context.Request.ContentType ?? "").StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
        {
            context.Response.StatusCode = 415;
            return;
        }

        try
        {
            Organization.Import(ImportModel.Bind(Body(context)), options.SelfHosted, options.StagedStatusFeature);
            if (context.Items.ContainsKey(nameof(LoseResponseFault)))
            {
                context.Items["note"] = "applied, response lost";
                context.Abort();
                return;
            }

            context.Response.StatusCode = 200;
        }
        catch (StandInHttpException error)
        {
            context.Items["note"] = error.Cause;
            await WriteJsonAsync(context, error.StatusCode, new { @object = "error", message = error.Message, errors = error.Errors }).ConfigureAwait(false);
        }
    }

    /// <summary>Injected faults first, then the cloud rate limiter. True when the request was answered.</summary>
    private async Task<bool> InterceptAsync(HttpContext context, StandInEndpoint endpoint)
    {
        if (Faults(endpoint).TryPeek(out var next) && next.StatusCode < 0 && Faults(endpoint).TryDequeue(out next))
        {
            switch (next.StatusCode)
            {
                case LoseResponseFault:
                    context.Items[nameof(LoseResponseFault)] = true;
                    break;
                case ExpireTokensFault:
                    ExpireAllTokens();
                    break;
            }
        }
        else if (Faults(endpoint).TryDequeue(out var fault))
        {
            switch (fault.StatusCode)
            {
                case 0:
                    using (var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping.Token))
                    {
                        Interlocked.Increment(ref hangingRequests);
                        await Task.Delay(Timeout.Infinite, linked.Token).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
                        Interlocked.Decrement(ref hangingRequests);
                    }

                    context.Abort();
                    break;
                case 429:
                    context.Response.Headers.RetryAfter = fault.RetryAfter ?? "1";
                    await WriteJsonAsync(context, 429, new { message = "Slow down! Too many requests. Try again in 1s." }).ConfigureAwait(false);
                    break;
                case 500:
                    await WriteJsonAsync(context, 500, new { @object = "error", message = StandInHttpException.UnhandledMessage, errors = (object?)null }).ConfigureAwait(false);
                    break;
                case >= 502 and <= 504:
                    context.Response.StatusCode = fault.StatusCode;
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync($"<html><body><center><h1>{fault.StatusCode} Bad Gateway or Service Unavailable</h1></center><hr><center>nginx</center></body></html>")
                        .ConfigureAwait(false);
                    break;
                default:
                    await WriteJsonAsync(context, fault.StatusCode, new { @object = "error", message = "Injected fault.", errors = (object?)null }).ConfigureAwait(false);
                    break;
            }

            context.Items["note"] = "injected fault";
            return true;
        }

        var service = endpoint == StandInEndpoint.Token ? "identity" : "api";
        var method = context.Request.Method;
        var rules = new List<(string Key, TimeSpan Window, int Limit, string Period)>();
        if (options.RateLimitPerSecond is { } perSecond && method == "POST")
        {
            rules.Add(($"{service} post 1s", TimeSpan.FromSeconds(1), perSecond, "1s"));
        }

        if (options.CloudRateLimits)
        {
            // AspNetCoreRateLimit rules of the cloud's appsettings.json (bitwarden-api.md §1.8).
            rules.Add(endpoint == StandInEndpoint.Token
                ? ("identity token 1m", TimeSpan.FromMinutes(1), 10, "1m")
                : method == "GET" ? ("api get 1m", TimeSpan.FromMinutes(1), 200, "1m")
                : method == "POST" ? ("api post 1m", TimeSpan.FromMinutes(1), 60, "1m")
                : ("api other 1m", TimeSpan.FromMinutes(1), 60, "1m"));
        }

        var now = options.Time.GetUtcNow();
        string? limited = null;
        lock (recentRequests)
        {
            foreach (var (key, window, limit, period) in rules)
            {
                var recent = recentRequests.GetOrAdd(key, _ => new ConcurrentQueue<DateTimeOffset>());
                while (recent.TryPeek(out var oldest) && oldest <= now - window)
                {
                    recent.TryDequeue(out _);
                }

                if (recent.Count >= limit)
                {
                    limited = period;
                    break;
                }
            }

            if (limited is null)
            {
                foreach (var (key, _, _, _) in rules)
                {
                    recentRequests[key].Enqueue(now);
                }
            }
        }

        if (limited is not null)
        {
            context.Items["note"] = "rate limited";
            context.Response.Headers.RetryAfter = limited == "1s" ? "1" : "60";
            await WriteJsonAsync(context, 429, new { message = $"Slow down! Too many requests. Try again in {limited}." }).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, object body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json)).ConfigureAwait(false);
    }

    private sealed record Fault(int StatusCode, string? RetryAfter);
}
