using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
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

namespace DirectoryConnector.TestSupport.EntraId;

/// <summary>
/// A loopback Microsoft identity platform token endpoint plus the Microsoft Graph v1.0 routes the Entra ID source
/// reads, over HTTPS with a certificate from a throwaway test CA (<see cref="CaPem"/>: give it to the source through
/// caSecretRef). Modelled on the documented contract, not on our client:
/// <list type="bullet">
/// <item>Token (learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow): POST
/// /{tenant}/oauth2/v2.0/token, form client_credentials with client_secret or a client_assertion JWT signed by the
/// registered certificate; scope must be {graph}/.default; errors are the v2 JSON body (error, error_description
/// starting with the AADSTS code, error_codes, trace_id, correlation_id): AADSTS90002 unknown tenant (400),
/// AADSTS700016 unknown application (400), AADSTS7000215 wrong secret (401), AADSTS1002012 a scope without /.default
/// (400), and for a client assertion (learn.microsoft.com/entra/identity-platform/certificate-credentials)
/// AADSTS700027 a certificate (x5t / x5t#S256) not registered or a bad signature (401), AADSTS700024 outside exp/nbf
/// (learn.microsoft.com/entra/identity-platform/reference-error-codes). Unknown form fields (client_info) ignored.</item>
/// <item>Errors (learn.microsoft.com/graph/errors): {"error":{"code","message","innerError"}}; 401
/// InvalidAuthenticationToken for a missing/expired token, 403 Authorization_RequestDenied when the application lacks
/// the permission the route documents, 404 Request_ResourceNotFound for unknown ids, 400 Request_BadRequest for
/// unknown $select properties, $top outside 1..999 or a path id that is no GUID ("Invalid object identifier"),
/// 429/503 with Retry-After when scripted (graph/throttling). Object ids in the tenant must be GUIDs.</item>
/// <item>Paging (graph/paging): absolute @odata.nextLink with $skiptoken, used verbatim; $top default 100.</item>
/// <item>Delta (graph/delta-query-overview, delta-query-users, delta-query-groups, api/user-delta, api/group-delta):
/// /users/delta and /groups/delta (also "delta()" as the SDK writes it); nextLink pages then an @odata.deltaLink;
/// the query is encoded in the token; removed objects as {"id","@removed":{"reason":"changed"}}; groups with
/// $select=members carry members@delta (full membership in the initial round, net changes later, removed members
/// with @removed), and a large group is split across consecutive pages; an expired token answers 400
/// syncStateNotFound (identity resources; other resources use 410 Gone, which the source treats alike).</item>
/// <item>transitiveMembers (api/group-list-transitivemembers) with the /microsoft.graph.user and /graph.user casts,
/// direct members, administrative unit members (api/administrativeunit-list-members), deletedItems/{id}.</item>
/// </list>
/// Not modelled: $filter, $search, $orderby, $count, ConsistencyLevel, national-cloud hosts, Prefer:
/// return=minimal, token signatures (access tokens are opaque random strings here), throttling by request budget.
/// </summary>
public sealed partial class EntraIdStandIn : IAsyncDisposable
{
    /// <summary>Application permissions each route documents as sufficient (least privileged first).</summary>
    public static readonly IReadOnlyList<string> AllPermissions = ["User.Read.All", "Group.Read.All", "GroupMember.Read.All", "AdministrativeUnit.Read.All"];

    private static readonly HashSet<string> UserProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "displayName", "mail", "userPrincipalName", "accountEnabled", "userType", "givenName", "surname",
        "otherMails", "jobTitle", "department", "mailNickname", "employeeId", "externalUserState", "createdDateTime",
    };

    private static readonly HashSet<string> GroupProperties = new(StringComparer.OrdinalIgnoreCase)
    {
        "id", "displayName", "description", "members", "mail", "mailEnabled", "mailNickname", "securityEnabled", "groupTypes",
    };

    private static readonly string[] DefaultUserSelect = ["id", "displayName", "mail", "userPrincipalName", "givenName", "surname", "jobTitle"];

    // One throwaway CA per test run: generating RSA keys per stand-in costs seconds on a loaded machine.
    private static readonly Lazy<TestCertificates> Certificates = new(() => TestCertificates.Create("Entra Stand-in Test CA"));

    private readonly LoopbackHttpsHost host;
    private readonly ConcurrentDictionary<string, DateTimeOffset> tokens = new();
    private readonly ConcurrentDictionary<string, DeltaRound> rounds = new();
    private readonly ConcurrentQueue<(EntraGraphEndpoint Endpoint, int Status, string? RetryAfter)> faults = new();
    private readonly object logGate = new();
    private readonly List<RecordedRequest> requests = [];
    private X509Certificate2? clientCertificate;
    private int expireTokensAfter = -1;

    private EntraIdStandIn(LoopbackHttpsHost host, TestCertificates certificates)
    {
        this.host = host;
        CaPem = certificates.CaPem;
    }

    public EntraTenant Tenant { get; } = new();

    /// <summary>The tenant id (a GUID) the token endpoint knows.</summary>
    public string TenantId { get; } = "7c5a4b1e-0000-4000-8000-00000000000a";

    /// <summary>The tenant's primary domain, accepted in place of the id.</summary>
    public string TenantDomain { get; } = "contoso.onmicrosoft.com";

    public string ApplicationId { get; } = "5f1b9d2c-0000-4000-8000-00000000000b";

    public string ClientSecret { get; set; } = "stand-in~client~secret~value";

    /// <summary>Application permissions consented for the application; routes answer 403 without theirs.</summary>
    public HashSet<string> GrantedPermissions { get; } = new(AllPermissions, StringComparer.OrdinalIgnoreCase);

    /// <summary>Objects per page of delta rounds (Graph chooses; $top is not supported on delta).</summary>
    public int DeltaPageSize { get; set; } = 100;

    /// <summary>How an expired delta link is answered: false (default) as identity resources do since 2020, 400
    /// syncStateNotFound (devblogs.microsoft.com/microsoft365dev/duration-of-change-tracking-tokens-for-identity-and-education-resources);
    /// true as a synchronization reset (learn.microsoft.com/graph/delta-query-overview#synchronization-reset): 410 Gone
    /// with a Location header holding a fresh initial delta query. The 410 body's code (resyncRequired) is unverified
    /// for directory objects.</summary>
    public bool ExpiredDeltaAnswersGone { get; set; }

    /// <summary>Members per members@delta slice: a larger group repeats on consecutive delta pages.</summary>
    public int DeltaMembersPerGroupEntry { get; set; } = 100;

    /// <summary>The most objects a members / transitiveMembers page holds whatever $top asks (Graph's own cap is 999).</summary>
    public int MaxMemberPageSize { get; set; } = 999;

    /// <summary>The PEM CA that signs the stand-in's certificate (for caSecretRef).</summary>
    public string CaPem { get; }

    /// <summary>https://127.0.0.1:port: both the authority host and (with /v1.0) the Graph base.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public Uri GraphUrl => new(BaseUrl, "/v1.0");

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

    public IReadOnlyList<RecordedRequest> TokenRequests => [.. Requests.Where(r => r.Path.EndsWith("/oauth2/v2.0/token", StringComparison.Ordinal))];

    public IReadOnlyList<RecordedRequest> GraphRequests => [.. Requests.Where(r => r.Path.StartsWith("/v1.0/", StringComparison.Ordinal))];

    public static async Task<EntraIdStandIn> StartAsync()
    {
        var host = LoopbackHttpsHost.Create(Certificates.Value);
        var app = host.App;
        var standIn = new EntraIdStandIn(host, host.Certificates);
        app.Use(standIn.RecordAsync);
        app.MapPost("/{tenant}/oauth2/v2.0/token", standIn.TokenAsync);
        app.Map("/v1.0/{**path}", standIn.GraphAsync);
        standIn.BaseUrl = await host.StartAsync().ConfigureAwait(false);
        return standIn;
    }

    /// <summary>Registers the certificate whose key signs client assertions (ClientCertificateCredential).</summary>
    public void RegisterCertificate(X509Certificate2 certificate) => clientCertificate = certificate;

    /// <summary>Every access token issued so far is expired: Graph answers 401 until a new one is fetched.</summary>
    public void ExpireAllTokens()
    {
        foreach (var token in tokens.Keys)
        {
            tokens[token] = DateTimeOffset.MinValue;
        }
    }

    /// <summary>After <paramref name="graphRequests"/> more Graph requests, every token issued so far expires (mid-sync expiry).</summary>
    public void ExpireTokensAfter(int graphRequests) => Volatile.Write(ref expireTokensAfter, graphRequests);

    /// <summary>The next <paramref name="count"/> requests to the endpoint answer <paramref name="statusCode"/> (429, 503, 500...).</summary>
    public void FailNext(int count, int statusCode, EntraGraphEndpoint endpoint = EntraGraphEndpoint.Graph, string? retryAfter = "1")
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue((endpoint, statusCode, retryAfter));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        context.Request.EnableBuffering();
        string body;
        using (var reader = new StreamReader(context.Request.Body, Encoding.UTF8, leaveOpen: true))
        {
            body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        }

        context.Request.Body.Position = 0;
        var time = DateTimeOffset.UtcNow;
        await next(context).ConfigureAwait(false);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        body = Redacted().Replace(body, "$1=REDACTED"); // credentials never reach test output
        lock (logGate)
        {
            requests.Add(new RecordedRequest(time, context.Request.Method, context.Request.Path.Value ?? "", headers,
                context.Request.Path.StartsWithSegments("/v1.0", StringComparison.Ordinal) ? context.Request.QueryString.Value ?? "" : body,
                context.Response.StatusCode, null));
        }
    }

    private bool TryFault(EntraGraphEndpoint endpoint, out (int Status, string? RetryAfter) fault)
    {
        fault = default;
        if (faults.TryPeek(out var next) && next.Endpoint == endpoint && faults.TryDequeue(out next))
        {
            fault = (next.Status, next.RetryAfter);
            return true;
        }

        return false;
    }

    // ---- Microsoft identity platform ------------------------------------------------------------------------------

    private async Task<IResult> TokenAsync(HttpContext context, string tenant)
    {
        if (TryFault(EntraGraphEndpoint.Token, out var fault))
        {
            return Status(context, fault.Status, fault.RetryAfter, TokenError("temporarily_unavailable", 90033, "A transient error has occurred. Please try again."));
        }

        if (!context.Request.HasFormContentType)
        {
            return TokenErrorResult(400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.");
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted).ConfigureAwait(false);
        if (!string.Equals(tenant, TenantId, StringComparison.OrdinalIgnoreCase) && !string.Equals(tenant, TenantDomain, StringComparison.OrdinalIgnoreCase))
        {
            return TokenErrorResult(400, "invalid_request", 90002,
                $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.");
        }

        if (form["grant_type"] != "client_credentials")
        {
            return TokenErrorResult(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type.");
        }

        var clientId = form["client_id"].ToString();
        if (!string.Equals(clientId, ApplicationId, StringComparison.OrdinalIgnoreCase))
        {
            return TokenErrorResult(400, "unauthorized_client", 700016,
                $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.");
        }

        var scope = form["scope"].ToString();
        // The resource is Graph: its global id, or this stand-in's own root (the graphUrl a test points the source at).
        if (scope != "https://graph.microsoft.com/.default" && scope != BaseUrl.GetLeftPart(UriPartial.Authority) + "/.default")
        {
            return TokenErrorResult(400, "invalid_scope", 1002012, $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).");
        }

        if (form.ContainsKey("client_assertion"))
        {
            if (form["client_assertion_type"] != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer")
            {
                return TokenErrorResult(400, "invalid_request", 50027, "JWT token is invalid or malformed: client_assertion_type must be urn:ietf:params:oauth:client-assertion-type:jwt-bearer.");
            }

            var audience = new Uri(BaseUrl, context.Request.Path.Value).AbsoluteUri;
            if (AssertionError(form["client_assertion"].ToString(), clientId, audience) is { } rejected)
            {
                return TokenErrorResult(rejected.Status, rejected.Status == 400 ? "invalid_request" : "invalid_client", rejected.Code, rejected.Message);
            }
        }
        else if (!string.Equals(form["client_secret"].ToString(), ClientSecret, StringComparison.Ordinal))
        {
            return TokenErrorResult(401, "invalid_client", 7000215,
                $"Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{ApplicationId}'.");
        }

        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24));
        tokens[token] = DateTimeOffset.UtcNow.AddHours(1);
        return Results.Json(new JsonObject
        {
            ["token_type"] = "Bearer",
            ["expires_in"] = 3599,
            ["ext_expires_in"] = 3599,
            ["access_token"] = token,
        });
    }

    /// <summary>
    /// Checks a client assertion as learn.microsoft.com/entra/identity-platform/certificate-credentials describes it
    /// (RFC 7523): header alg RS256 or PS256 with x5t (base64url SHA-1 thumbprint) or x5t#S256 (SHA-256) naming a
    /// certificate registered on the application; claims aud = this tenant's token endpoint, iss = sub = the client
    /// id, a jti, and exp / nbf around now (5 minutes of clock skew); signed by that certificate's key. Null when it
    /// holds, else the status, AADSTS code and message the token endpoint answers: 50027 malformed (400), 700027 key
    /// not registered or signature invalid (401, the documented text), 700024 outside its time range (401). Wrong aud,
    /// iss or sub answer 700027 too here (Entra's own code for those is not documented).
    /// </summary>
    private (int Status, int Code, string Message)? AssertionError(string jwt, string clientId, string audience)
    {
        var parts = jwt.Split('.');
        JsonElement header, payload;
        try
        {
            if (parts.Length != 3)
            {
                throw new FormatException();
            }

            using var headerDocument = JsonDocument.Parse(Base64UrlTextDecode(parts[0]));
            using var payloadDocument = JsonDocument.Parse(Base64UrlTextDecode(parts[1]));
            header = headerDocument.RootElement.Clone();
            payload = payloadDocument.RootElement.Clone();
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return (400, 50027, "JWT token is invalid or malformed.");
        }

        if (header.ValueKind != JsonValueKind.Object || payload.ValueKind != JsonValueKind.Object)
        {
            return (400, 50027, "JWT token is invalid or malformed.");
        }

        var padding = Text(header, "alg") switch
        {
            "RS256" => RSASignaturePadding.Pkcs1,
            "PS256" => RSASignaturePadding.Pss,
            _ => null,
        };
        if (padding is null)
        {
            return (400, 50027, "JWT token is invalid or malformed: the signing algorithm must be RS256 or PS256.");
        }

        var certificate = clientCertificate;
        var sha256 = Text(header, "x5t#S256");
        var sha1 = Text(header, "x5t");
        var registered = certificate is not null
            && (sha256 is not null ? sha256 == WebEncoders.Base64UrlEncode(certificate.GetCertHash(HashAlgorithmName.SHA256))
                : sha1 is not null && sha1 == WebEncoders.Base64UrlEncode(certificate.GetCertHash(HashAlgorithmName.SHA1)));
        if (!registered)
        {
            var presented = sha256 ?? sha1 ?? "";
            return (401, 700027, $"The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found., Thumbprint of key used by client: '{presented}']");
        }

        using var key = certificate!.GetRSAPublicKey();
        if (key is null || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), WebEncoders.Base64UrlDecode(parts[2]), HashAlgorithmName.SHA256, padding))
        {
            return (401, 700027, "Client assertion failed signature validation.");
        }

        if (!string.Equals(Text(payload, "aud"), audience, StringComparison.OrdinalIgnoreCase)
            || Text(payload, "iss") != clientId || Text(payload, "sub") != clientId || string.IsNullOrEmpty(Text(payload, "jti")))
        {
            return (401, 700027, $"Client assertion failed validation: aud must be {audience}, iss and sub the client id, and jti present.");
        }

        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        const long skew = 300;
        if (Seconds(payload, "exp") is not { } expires || expires + skew < now || Seconds(payload, "nbf") - skew > now)
        {
            return (401, 700024, "Client assertion is not within its valid time range.");
        }

        return null;
    }

    /// <summary>A NumericDate claim (RFC 7519 §2), as a number or, as MSAL writes exp and nbf, a string of digits.</summary>
    private static long? Seconds(JsonElement element, string property)
        => !element.TryGetProperty(property, out var value) ? null
            : value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number) ? number
            : value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), CultureInfo.InvariantCulture, out var text) ? text
            : null;

    private static string? Text(JsonElement element, string property)
        => element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static byte[] Base64UrlTextDecode(string text) => WebEncoders.Base64UrlDecode(text);

    private static IResult TokenErrorResult(int status, string error, int code, string description)
        => Results.Json(TokenError(error, code, description), statusCode: status);

    private static JsonObject TokenError(string error, int code, string description)
    {
        var trace = Guid.NewGuid().ToString();
        var correlation = Guid.NewGuid().ToString();
        var timestamp = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new JsonObject
        {
            ["error"] = error,
            ["error_description"] = $"AADSTS{code}: {description} Trace ID: {trace} Correlation ID: {correlation} Timestamp: {timestamp}",
            ["error_codes"] = new JsonArray(code),
            ["timestamp"] = timestamp,
            ["trace_id"] = trace,
            ["correlation_id"] = correlation,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={code}",
        };
    }

    // ---- Microsoft Graph ----------------------------------------------------------------------------------------

    private IResult GraphAsync(HttpContext context, string path)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return GraphError(401, "InvalidAuthenticationToken", "Access token is empty.");
        }

        if (!tokens.TryGetValue(authorization["Bearer ".Length..], out var expiry) || expiry <= DateTimeOffset.UtcNow)
        {
            return GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
        }

        if (Volatile.Read(ref expireTokensAfter) >= 0 && Interlocked.Decrement(ref expireTokensAfter) < 0)
        {
            ExpireAllTokens();
            return GraphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired.");
        }

        if (TryFault(EntraGraphEndpoint.Graph, out var fault))
        {
            var (code, message) = fault.Status == 429
                ? ("TooManyRequests", "Too many requests.")
                : ("serviceNotAvailable", "The service is temporarily unavailable. Please try again later.");
            return Status(context, fault.Status, fault.RetryAfter, ErrorBody(code, message));
        }

        if (!HttpMethods.IsGet(context.Request.Method))
        {
            return GraphError(405, "Request_BadRequest", "The stand-in serves reads only.");
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        try
        {
            return segments switch
            {
                ["users", "delta" or "delta()" or "microsoft.graph.delta" or "microsoft.graph.delta()"] => Require(["User.Read.All"]) ?? UsersDelta(context),
                ["groups", "delta" or "delta()" or "microsoft.graph.delta" or "microsoft.graph.delta()"] => Require(["GroupMember.Read.All", "Group.Read.All"]) ?? GroupsDelta(context),
                ["groups", var id, "transitiveMembers", .. var cast] when cast.Length <= 1
                    => Require(["GroupMember.Read.All", "Group.Read.All"]) ?? GroupMembers(context, ObjectId(id), transitive: true, cast.FirstOrDefault()),
                ["groups", var id, "members", .. var cast] when cast.Length <= 1
                    => Require(["GroupMember.Read.All", "Group.Read.All"]) ?? GroupMembers(context, ObjectId(id), transitive: false, cast.FirstOrDefault()),
                ["directory", "administrativeUnits", var id, "members"] => Require(["AdministrativeUnit.Read.All"]) ?? AdministrativeUnitMembers(context, ObjectId(id)),
                ["directory", "deletedItems", "microsoft.graph.user" or "graph.user"] => Require(["User.Read.All"]) ?? DeletedUsers(context),
                ["directory", "deletedItems", var id] => Require(["User.Read.All"]) ?? DeletedItem(context, ObjectId(id)),
                _ => GraphError(400, "BadRequest", $"Resource not found for the segment '{segments.FirstOrDefault()}'."),
            };
        }
        catch (BadQueryException e)
        {
            return GraphError(400, "Request_BadRequest", e.Message);
        }
    }

    /// <summary>An object id from the path: directory object ids are GUIDs, and Graph answers anything else with 400
    /// Request_BadRequest "Invalid object identifier" before looking it up (a well-formed unknown id is a 404).</summary>
    private static string ObjectId(string id)
        => Guid.TryParseExact(id, "D", out _) ? id : throw new BadQueryException($"Invalid object identifier '{id}'.");

    private IResult? Require(string[] anyOf)
        => anyOf.Any(GrantedPermissions.Contains) ? null : GraphError(403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    private IResult UsersDelta(HttpContext context)
    {
        if (ContinueRound(context, "users", out var result))
        {
            return result;
        }

        var select = Select(context, UserProperties, DefaultUserSelect, "Microsoft.DirectoryServices.User");
        var since = StartRound(context, out var expired);
        if (expired is not null)
        {
            return expired;
        }

        var items = Tenant.UserDelta(since).Select(e => e.User is null ? Removed(e.Id) : UserJson(e.User, select)).ToList();
        return NewRound(context, "users", select, items);
    }

    private IResult GroupsDelta(HttpContext context)
    {
        if (ContinueRound(context, "groups", out var result))
        {
            return result;
        }

        var select = Select(context, GroupProperties, ["id", "displayName", "description"], "Microsoft.DirectoryServices.Group");
        var since = StartRound(context, out var expired);
        if (expired is not null)
        {
            return expired;
        }

        var items = new List<JsonObject>();
        foreach (var group in Tenant.GroupDelta(since))
        {
            if (group.Removed)
            {
                items.Add(Removed(group.Id));
                continue;
            }

            JsonObject Entry()
            {
                var entry = new JsonObject { ["id"] = group.Id };
                if (select.Contains("displayName"))
                {
                    entry["displayName"] = group.DisplayName;
                }

                return entry;
            }

            if (!select.Contains("members") || group.Members.Count == 0)
            {
                items.Add(Entry()); // a group without member changes omits members@delta
                continue;
            }

            // A large group is split across consecutive pages, each entry carrying a slice of members@delta.
            foreach (var slice in group.Members.Chunk(DeltaMembersPerGroupEntry))
            {
                var entry = Entry();
                var members = new JsonArray();
                foreach (var (id, type, removed) in slice)
                {
                    var member = new JsonObject { ["@odata.type"] = ODataType(type), ["id"] = id };
                    if (removed)
                    {
                        member["@removed"] = new JsonObject { ["reason"] = "deleted" };
                    }

                    members.Add(member);
                }

                entry["members@delta"] = members;
                items.Add(entry);
            }
        }

        return NewRound(context, "groups", select, items);
    }

    private IResult GroupMembers(HttpContext context, string id, bool transitive, string? cast)
    {
        if (!Tenant.GroupExists(id))
        {
            return NotFound(id);
        }

        var onlyUsers = cast switch
        {
            null => false,
            "microsoft.graph.user" or "graph.user" => true,
            _ => throw new BadQueryException($"The type '{cast}' is not supported as a cast segment here."),
        };
        var members = transitive
            ? Tenant.TransitiveMembers(id)
            : [.. Tenant.GroupDelta(0).Single(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase)).Members.Select(m => (m.Id, m.Type))];

        if (onlyUsers)
        {
            members = [.. members.Where(m => m.Type == EntraObjectType.User)];
        }

        return DirectoryObjectPage(context, members);
    }

    private IResult AdministrativeUnitMembers(HttpContext context, string id)
        => Tenant.AdministrativeUnitMembers(id) is { } members ? DirectoryObjectPage(context, members) : NotFound(id);

    private IResult DeletedItem(HttpContext context, string id)
    {
        if (!Tenant.TryGetDeletedUser(id, out var user))
        {
            return NotFound(id);
        }

        return Results.Json(DeletedUserJson(user, Select(context, UserProperties, DefaultUserSelect, "Microsoft.DirectoryServices.User")));
    }

    /// <summary>GET /directory/deletedItems/microsoft.graph.user (api/directory-deleteditems-list): the soft-deleted
    /// users (kept 30 days), paged by $top (default 100, at most 999) with @odata.nextLink.</summary>
    private IResult DeletedUsers(HttpContext context)
    {
        var select = Select(context, UserProperties, DefaultUserSelect, "Microsoft.DirectoryServices.User");
        var deleted = Tenant.DeletedUsers();
        var top = Math.Min(Top(context), MaxMemberPageSize);
        var offset = int.TryParse(context.Request.Query["$skiptoken"], CultureInfo.InvariantCulture, out var skip) ? skip : 0;
        var body = new JsonObject
        {
            ["@odata.context"] = $"{GraphUrl}/$metadata#directoryObjects/microsoft.graph.user",
            ["value"] = new JsonArray([.. deleted.Skip(offset).Take(top).Select(u => (JsonNode)DeletedUserJson(u, select))]),
        };
        if (offset + top < deleted.Count)
        {
            var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
            query["$skiptoken"] = (offset + top).ToString(CultureInfo.InvariantCulture);
            body["@odata.nextLink"] = QueryHelpers.AddQueryString(new Uri(BaseUrl, context.Request.Path).AbsoluteUri, query);
        }

        return Results.Json(body);
    }

    private static JsonObject DeletedUserJson(EntraUser user, HashSet<string> select)
    {
        // A deleted user's userPrincipalName is prefixed with its id without dashes (so the name can be reused).
        var json = UserJson(user with { UserPrincipalName = user.Id.Replace("-", "", StringComparison.Ordinal) + user.UserPrincipalName }, select);
        json["@odata.type"] = "#microsoft.graph.user";
        return json;
    }

    private IResult DirectoryObjectPage(HttpContext context, List<(string Id, EntraObjectType Type)> members)
    {
        var select = Select(context, UserProperties, ["id"], "Microsoft.DirectoryServices.DirectoryObject");
        var top = Math.Min(Top(context), MaxMemberPageSize);
        var offset = int.TryParse(context.Request.Query["$skiptoken"], CultureInfo.InvariantCulture, out var skip) ? skip : 0;
        var value = new JsonArray();
        foreach (var (id, type) in members.Skip(offset).Take(top))
        {
            var item = type == EntraObjectType.User && Tenant.User(id) is { } user ? UserJson(user, select) : new JsonObject { ["id"] = id };
            item["@odata.type"] = ODataType(type);
            value.Add(item);
        }

        var body = new JsonObject { ["@odata.context"] = $"{GraphUrl}/$metadata#directoryObjects", ["value"] = value };
        if (offset + top < members.Count)
        {
            var query = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
            query["$skiptoken"] = (offset + top).ToString(CultureInfo.InvariantCulture);
            body["@odata.nextLink"] = QueryHelpers.AddQueryString(new Uri(BaseUrl, context.Request.Path).AbsoluteUri, query);
        }

        return Results.Json(body);
    }

    private bool ContinueRound(HttpContext context, string resource, out IResult result)
    {
        result = null!;
        var skipToken = context.Request.Query["$skiptoken"].ToString();
        if (skipToken.Length == 0)
        {
            return false;
        }

        var parts = skipToken.Split('.');
        if (parts.Length != 2 || !rounds.TryGetValue(parts[0], out var round) || round.Resource != resource
            || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var offset))
        {
            result = GraphError(400, "Request_BadRequest", "The skip token is invalid.");
            return true;
        }

        result = RoundPage(round, parts[0], offset);
        return true;
    }

    /// <summary>The version a delta round starts from: 0 for the initial round, else the one its $deltatoken encodes.</summary>
    private long StartRound(HttpContext context, out IResult? expired)
    {
        expired = null;
        var token = context.Request.Query["$deltatoken"].ToString();
        if (token.Length == 0)
        {
            return 0;
        }

        if (!long.TryParse(token, CultureInfo.InvariantCulture, out var since) || since < Tenant.OldestValidVersion)
        {
            // Identity resources answer 400 syncStateNotFound once a link is past its 7 days (devblogs.microsoft.com/
            // microsoft365dev/duration-of-change-tracking-tokens-for-identity-and-education-resources); others 410 Gone.
            expired = ExpiredDeltaAnswersGone
                ? new GoneResult($"{GraphUrl}{context.Request.Path.Value![(GraphUrl.AbsolutePath.Length)..]}", ErrorBody("resyncRequired", "Resync required. The delta token is no longer valid; start a new initial delta query."))
                : GraphError(400, "syncStateNotFound", "The sync state generation is not found. The delta token is expired and data must be synchronized again.");
        }

        return since;
    }

    private IResult NewRound(HttpContext context, string resource, HashSet<string> select, List<JsonObject> items)
    {
        var id = Guid.NewGuid().ToString("N");
        var round = new DeltaRound(resource, items, Tenant.Version, string.Join(',', select));
        rounds[id] = round;
        _ = context;
        return RoundPage(round, id, 0);
    }

    private IResult RoundPage(DeltaRound round, string id, int offset)
    {
        var page = new JsonArray([.. round.Items.Skip(offset).Take(DeltaPageSize).Select(i => (JsonNode)i.DeepClone())]);
        var body = new JsonObject { ["@odata.context"] = $"{GraphUrl}/$metadata#{round.Resource}", ["value"] = page };
        var link = $"{GraphUrl}/{round.Resource}/delta?";
        if (offset + DeltaPageSize < round.Items.Count)
        {
            body["@odata.nextLink"] = link + "$skiptoken=" + id + "." + (offset + DeltaPageSize).ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // The query is encoded in the token in Graph; here the $select is carried beside it.
            body["@odata.deltaLink"] = link + "$deltatoken=" + round.Version.ToString(CultureInfo.InvariantCulture) + "&$select=" + round.Select;
        }

        return Results.Json(body);
    }

    private static HashSet<string> Select(HttpContext context, HashSet<string> known, IEnumerable<string> defaults, string typeName)
    {
        var text = context.Request.Query["$select"].ToString();
        if (text.Length == 0)
        {
            return new HashSet<string>(defaults, StringComparer.OrdinalIgnoreCase);
        }

        var select = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "id" };
        foreach (var property in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!known.Contains(property))
            {
                throw new BadQueryException($"Could not find a property named '{property}' on type '{typeName}'.");
            }

            select.Add(property);
        }

        return select;
    }

    private static int Top(HttpContext context)
    {
        var text = context.Request.Query["$top"].ToString();
        if (text.Length == 0)
        {
            return 100;
        }

        return int.TryParse(text, CultureInfo.InvariantCulture, out var top) && top is >= 1 and <= 999
            ? top
            : throw new BadQueryException($"Invalid page size specified: '{text}'. Must be between 1 and 999 inclusive.");
    }

    private static JsonObject UserJson(EntraUser user, HashSet<string> select)
    {
        var json = new JsonObject();
        foreach (var property in select)
        {
            json[property] = property.ToUpperInvariant() switch
            {
                "ID" => user.Id,
                "DISPLAYNAME" => user.DisplayName,
                "MAIL" => user.Mail,
                "USERPRINCIPALNAME" => user.UserPrincipalName,
                "ACCOUNTENABLED" => user.AccountEnabled,
                "USERTYPE" => user.UserType,
                "OTHERMAILS" => new JsonArray(),
                _ => null,
            };
        }

        return json;
    }

    private static JsonObject Removed(string id)
        => new() { ["id"] = id, ["@removed"] = new JsonObject { ["reason"] = "changed" } };

    private static string ODataType(EntraObjectType type) => type switch
    {
        EntraObjectType.User => "#microsoft.graph.user",
        EntraObjectType.Group => "#microsoft.graph.group",
        EntraObjectType.Device => "#microsoft.graph.device",
        EntraObjectType.OrgContact => "#microsoft.graph.orgContact",
        _ => "#microsoft.graph.servicePrincipal",
    };

    private static IResult NotFound(string id)
        => GraphError(404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.");

    /// <summary>410 Gone with the Location of a fresh initial delta query (a synchronization reset).</summary>
    private sealed class GoneResult(string location, JsonObject body) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return Results.Json(body, statusCode: 410).ExecuteAsync(httpContext);
        }
    }

    private static IResult GraphError(int status, string code, string message) => Results.Json(ErrorBody(code, message), statusCode: status);

    private static JsonObject ErrorBody(string code, string message) => new()
    {
        ["error"] = new JsonObject
        {
            ["code"] = code,
            ["message"] = message,
            ["innerError"] = new JsonObject
            {
                ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                ["request-id"] = Guid.NewGuid().ToString(),
                ["client-request-id"] = Guid.NewGuid().ToString(),
            },
        },
    };

    private static IResult Status(HttpContext context, int status, string? retryAfter, JsonObject body)
    {
        if (retryAfter is not null)
        {
            context.Response.Headers.RetryAfter = retryAfter;
        }

        return Results.Json(body, statusCode: status);
    }

    [GeneratedRegex("(client_secret|client_assertion)=[^&]*")]
    private static partial Regex Redacted();

    private sealed record DeltaRound(string Resource, List<JsonObject> Items, long Version, string Select);

    private sealed class BadQueryException(string message) : Exception(message);
}
