using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
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

namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>
/// A loopback Google Workspace: Google's OAuth 2.0 token endpoint for service accounts and the Admin SDK Directory API
/// v1 (users.list, groups.list, members.list) over HTTPS with a throwaway CA (<see cref="CaPem"/>), backed by an
/// in-memory directory the tests change between syncs.
/// <para>Modelled from Google's documentation:</para>
/// <list type="bullet">
/// <item>Token endpoint, JWT bearer grant (https://developers.google.com/identity/protocols/oauth2/service-account#authorizingrequests):
/// the RS256 signature is verified against the service account's public key; iss must be the service account, aud
/// Google's token URL (it stays Google's even when the URL is overridden), exp at most an hour after iat and not past,
/// sub a user of the directory (else invalid_grant "Invalid email or User ID"), every requested scope granted to the
/// client id by domain-wide delegation (else 401 unauthorized_client).</item>
/// <item>users.list (https://developers.google.com/admin-sdk/directory/reference/rest/v1/users/list): customer or
/// domain required (else 400 Bad Request), showDeleted=true lists only deleted users, maxResults 1–500 (default 100),
/// opaque pageToken tied to the query (a refused one: 400 "Invalid Input: &lt;token&gt;"), query in the search syntax (<see cref="DirectoryQueryLanguage"/>; otherwise 400
/// "Invalid Input"), the users/groups/members arrays left out when empty.</item>
/// <item>groups.list and members.list (…/groups/list, …/members/list): maxResults 1–200 (default 200), groupKey an id
/// or an email (else 404 "Resource Not Found: groupKey"), member status only on USER members, CUSTOMER members with
/// the customer id.</item>
/// <item>Errors in Google's JSON shape {"error":{"code","message","errors":[{"domain","reason","message"}],"status"}}:
/// 401 authError for a missing, expired or revoked token, 403 insufficientPermissions when the token lacks the API's scope,
/// 403 forbidden "Not Authorized to access this resource/api" when the impersonated user is not an administrator,
/// and the throttling answers of <see cref="GoogleFault"/> (no Retry-After, as Google).</item>
/// <item>customer or domain missing, or a customer that is not the caller's (e.g. a domain name given as customer):
/// 400 "Bad Request" badRequest (googleapis/google-api-python-client#579, googleworkspace/go-samples#10); a domain
/// the customer does not own: 403 forbidden "Not Authorized to access this resource/api" (66degrees/agm#9).</item>
/// </list>
/// <para>Not modelled: other query fields (custom schemas, addresses, manager), orderBy/sortOrder, projection,
/// search-index lag, aliases, the 20-day retention of deleted users, org unit existence checks, real quotas.</para>
/// </summary>
public sealed class GoogleWorkspaceStandIn : IAsyncDisposable
{
    /// <summary>The audience Google requires in assertions (also when the token URL is overridden).</summary>
    public const string GoogleTokenAudience = "https://oauth2.googleapis.com/token";

    public const string UserScope = "https://www.googleapis.com/auth/admin.directory.user.readonly";
    public const string GroupScope = "https://www.googleapis.com/auth/admin.directory.group.readonly";
    public const string MemberScope = "https://www.googleapis.com/auth/admin.directory.group.member.readonly";

    private const string ApiPrefix = "/admin/directory/v1";
    private static readonly JsonSerializerOptions Json = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    private readonly LoopbackHttpsHost host;
    private readonly ConcurrentDictionary<string, IssuedToken> tokens = new();
    private readonly ConcurrentQueue<GoogleFault> faults = new();
    private readonly object logGate = new();
    private readonly List<RecordedRequest> requests = [];
    private readonly object directoryGate = new();
    private int nextId;
    private int apiRequestCount;
    private int pageTokenGeneration;

    private GoogleWorkspaceStandIn(LoopbackHttpsHost host, TestCertificates certificates)
    {
        this.host = host;
        CaPem = certificates.CaPem;
        DelegatedScopes = [UserScope, GroupScope, MemberScope];
    }

    /// <summary>https://127.0.0.1:port, the Directory API base (spec apiUrl).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The token endpoint (spec tokenUrl).</summary>
    public Uri TokenUrl => new(BaseUrl, "token");

    /// <summary>The CA that signed the stand-in's certificate, as PEM (what a caSecretRef holds).</summary>
    public string CaPem { get; }

    public GoogleServiceAccount ServiceAccount { get; } = new();

    /// <summary>Scopes granted to <see cref="ServiceAccount"/>'s client id in Admin console › Domain-wide delegation.
    /// Empty models a client id that was never added.</summary>
    public HashSet<string> DelegatedScopes { get; }

    /// <summary>What my_customer stands for.</summary>
    public string CustomerId { get; set; } = "C03az79cb";

    /// <summary>The customer's domains; the first is primary.</summary>
    public List<string> Domains { get; } = ["example.com"];

    /// <summary>Caps every page below what the client asked for (Google may return fewer than maxResults).</summary>
    public int? MaxPageSize { get; set; }

    public TimeProvider Time { get; set; } = TimeProvider.System;

    /// <summary>Called with the 1-based number of each Directory API request as it arrives, before it is answered:
    /// lets a test act at an exact point of a read (e.g. cancel it) instead of racing it.</summary>
    public Action<int>? OnApiRequest { get; set; }

    /// <summary>The directory. Change it between syncs only, or under <see cref="Change"/>.</summary>
    public List<GoogleStandInUser> Users { get; } = [];

    public List<GoogleStandInGroup> Groups { get; } = [];

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

    public IReadOnlyList<RecordedRequest> TokenRequests => [.. Requests.Where(r => r.Path == "/token")];

    public IReadOnlyList<RecordedRequest> ApiRequests => [.. Requests.Where(r => r.Path.StartsWith(ApiPrefix, StringComparison.Ordinal))];

    public static async Task<GoogleWorkspaceStandIn> StartAsync()
    {
        var host = LoopbackHttpsHost.Create("Google Workspace Stand-in Test CA");
        var app = host.App;
        var standIn = new GoogleWorkspaceStandIn(host, host.Certificates);
        app.Use(standIn.RecordAsync);
        app.MapPost("/token", standIn.TokenAsync);
        app.MapGet(ApiPrefix + "/users", standIn.ListUsersAsync);
        app.MapGet(ApiPrefix + "/groups", standIn.ListGroupsAsync);
        app.MapGet(ApiPrefix + "/groups/{groupKey}/members", standIn.ListMembersAsync);
        standIn.BaseUrl = await host.StartAsync().ConfigureAwait(false);
        return standIn;
    }

    /// <summary>Adds a user with a fresh 21-digit id; the email's local part doubles as the given name.</summary>
    public GoogleStandInUser AddUser(string primaryEmail, bool isAdmin = false, string orgUnitPath = "/")
    {
        var user = new GoogleStandInUser
        {
            Id = (100_000_000_000_000_000_000m + Interlocked.Increment(ref nextId) * 7919m).ToString(CultureInfo.InvariantCulture),
            PrimaryEmail = primaryEmail,
            GivenName = primaryEmail.Split('@')[0],
            IsAdmin = isAdmin,
            OrgUnitPath = orgUnitPath,
        };
        Change(() => Users.Add(user));
        return user;
    }

    public GoogleStandInGroup AddGroup(string name, string? email = null)
    {
        var group = new GoogleStandInGroup
        {
            Id = "0" + Convert.ToHexStringLower(BitConverter.GetBytes(Interlocked.Increment(ref nextId) * 104_729L))[..14],
            Email = email ?? $"{new string([.. name.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit)])}@{Domains[0]}",
            Name = name,
        };
        Change(() => Groups.Add(group));
        return group;
    }

    /// <summary>A USER member with the status Google reports for the account (ACTIVE or SUSPENDED).</summary>
    public static GoogleStandInMember UserMember(GoogleStandInUser user, string role = "MEMBER") =>
        new(user.Id, user.PrimaryEmail, "USER", user.Suspended ? "SUSPENDED" : "ACTIVE", role);

    public static GoogleStandInMember GroupMember(GoogleStandInGroup group) => new(group.Id, group.Email, "GROUP", null);

    /// <summary>The member that stands for every user of the customer ("all users in the organization").</summary>
    public GoogleStandInMember CustomerMember() => new(CustomerId, null, "CUSTOMER", null);

    /// <summary>Runs a change of the directory so no request sees it half done.</summary>
    public void Change(Action change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (directoryGate)
        {
            change();
        }
    }

    /// <summary>The next <paramref name="count"/> Directory API requests answer <paramref name="fault"/>.</summary>
    public void FailNext(int count, GoogleFault fault)
    {
        for (var i = 0; i < count; i++)
        {
            faults.Enqueue(fault);
        }
    }

    /// <summary>Makes every page token issued so far invalid, as Google's expire (after days) or, at times, come back
    /// unusable: the next request that carries one answers 400 "Invalid Input: &lt;token&gt;".</summary>
    public void ExpirePageTokens() => Interlocked.Increment(ref pageTokenGeneration);

    /// <summary>Makes every access token issued so far expired, as if an hour had passed.</summary>
    public void ExpireAllTokens()
    {
        foreach (var token in tokens.Keys)
        {
            tokens[token] = tokens[token] with { Expires = DateTimeOffset.MinValue };
        }
    }

    /// <summary>Revokes every access token issued so far (oauth2.googleapis.com/revoke, or an admin resetting the
    /// service account's access): Google then answers 401 authError "Invalid Credentials" to them, as to expired ones.</summary>
    public void RevokeAllTokens() => tokens.Clear();

    public async ValueTask DisposeAsync()
    {
        await host.DisposeAsync().ConfigureAwait(false);
        ServiceAccount.Dispose();
    }

    private async Task RecordAsync(HttpContext context, RequestDelegate next)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        context.Items["body"] = body;
        var time = Time.GetUtcNow();
        if (context.Request.Path.StartsWithSegments(ApiPrefix, StringComparison.Ordinal))
        {
            OnApiRequest?.Invoke(Interlocked.Increment(ref apiRequestCount));
        }

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
                    context.Response.StatusCode, context.Items["note"] as string));
            }
        }
    }

    private async Task TokenAsync(HttpContext context)
    {
        if (!(context.Request.ContentType ?? "").StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            await TokenErrorAsync(context, 400, "invalid_request", "Bad Request").ConfigureAwait(false);
            return;
        }

        var form = QueryHelpers.ParseQuery((string)context.Items["body"]!);
        var grantType = form.TryGetValue("grant_type", out var g) ? g.ToString() : "";
        if (grantType != "urn:ietf:params:oauth:grant-type:jwt-bearer")
        {
            await TokenErrorAsync(context, 400, "unsupported_grant_type", $"Invalid grant_type: {grantType}").ConfigureAwait(false);
            return;
        }

        var parts = (form.TryGetValue("assertion", out var a) ? a.ToString() : "").Split('.');
        JsonObject header, claims;
        try
        {
            header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]))!.AsObject();
            claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!.AsObject();
            _ = parts[2];
        }
        catch (Exception error) when (error is JsonException or FormatException or IndexOutOfRangeException or InvalidOperationException)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", "Invalid JWT: Unable to parse assertion.").ConfigureAwait(false);
            return;
        }

        string Claim(string name) => claims[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : "";
        long Seconds(string name) => claims[name] is JsonValue value && value.TryGetValue<long>(out var number) ? number : 0;

        if (Claim("iss") != ServiceAccount.ClientEmail)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", "Invalid grant: account not found").ConfigureAwait(false);
            return;
        }

        if ((string?)header["alg"] != "RS256"
            || !ServiceAccount.Verify(Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"), Base64Url.DecodeFromChars(parts[2])))
        {
            await TokenErrorAsync(context, 400, "invalid_grant", "Invalid JWT Signature.").ConfigureAwait(false);
            return;
        }

        if (Claim("aud") != GoogleTokenAudience)
        {
            await TokenErrorAsync(context, 400, "invalid_grant", "Invalid JWT: Failed audience check.").ConfigureAwait(false);
            return;
        }

        var now = Time.GetUtcNow().ToUnixTimeSeconds();
        long iat = Seconds("iat"), exp = Seconds("exp");
        if (exp <= iat || exp - iat > 3600 || exp < now || iat > now + 300)
        {
            await TokenErrorAsync(context, 400, "invalid_grant",
                "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.").ConfigureAwait(false);
            return;
        }

        var scopes = Claim("scope").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (scopes.Length == 0)
        {
            await TokenErrorAsync(context, 400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.").ConfigureAwait(false);
            return;
        }

        var subject = Claim("sub");
        if (subject.Length > 0)
        {
            bool known;
            lock (directoryGate)
            {
                known = Users.Exists(u => u.DeletionTime is null && u.PrimaryEmail.Equals(subject, StringComparison.OrdinalIgnoreCase));
            }

            if (!known)
            {
                await TokenErrorAsync(context, 400, "invalid_grant", "Invalid email or User ID").ConfigureAwait(false);
                return;
            }

            if (!scopes.All(DelegatedScopes.Contains))
            {
                await TokenErrorAsync(context, 401, "unauthorized_client",
                    "Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.").ConfigureAwait(false);
                return;
            }
        }

        var token = "ya29.c." + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(48));
        tokens[token] = new IssuedToken(subject, [.. scopes], Time.GetUtcNow().AddSeconds(3599));
        await WriteJsonAsync(context, 200, new { access_token = token, expires_in = 3599, token_type = "Bearer" }).ConfigureAwait(false);
    }

    private async Task ListUsersAsync(HttpContext context)
    {
        if (await RejectAsync(context, UserScope, "https://www.googleapis.com/auth/admin.directory.user").ConfigureAwait(false))
        {
            return;
        }

        var query = context.Request.Query;
        var showDeleted = string.Equals(query["showDeleted"], "true", StringComparison.OrdinalIgnoreCase);
        Func<GoogleStandInUser, bool> matches = _ => true;
        if (!string.IsNullOrEmpty(query["query"]))
        {
            if (DirectoryQueryLanguage.ParseUsers(query["query"]!) is not { } parsed)
            {
                await ApiErrorAsync(context, 400, "global", "invalid", "Invalid Input").ConfigureAwait(false);
                return;
            }

            matches = parsed;
        }

        if (await ScopeAsync(context) is not { } inScope)
        {
            return;
        }

        List<GoogleStandInUser> listed;
        lock (directoryGate)
        {
            listed = [.. Users.Where(u => (u.DeletionTime is not null) == showDeleted && inScope(u.PrimaryEmail) && matches(u))];
        }

        if (await PageAsync(context, listed, 100, 500) is { } page)
        {
            await WriteJsonAsync(context, 200, new
            {
                kind = "admin#directory#users",
                etag = Etag(),
                users = page.Items.Count == 0 ? null : page.Items.Select(UserResource),
                nextPageToken = page.NextPageToken,
            }).ConfigureAwait(false);
        }
    }

    private async Task ListGroupsAsync(HttpContext context)
    {
        if (await RejectAsync(context, GroupScope, "https://www.googleapis.com/auth/admin.directory.group").ConfigureAwait(false))
        {
            return;
        }

        Func<GoogleStandInGroup, bool> matches = _ => true;
        var text = context.Request.Query["query"].ToString();
        if (text.Length > 0)
        {
            if (DirectoryQueryLanguage.ParseGroups(text) is not { } parsed)
            {
                await ApiErrorAsync(context, 400, "global", "invalid", "Invalid Input").ConfigureAwait(false);
                return;
            }

            matches = parsed;
        }

        if (await ScopeAsync(context) is not { } inScope)
        {
            return;
        }

        List<GoogleStandInGroup> listed;
        lock (directoryGate)
        {
            listed = [.. Groups.Where(g => inScope(g.Email) && matches(g))];
        }

        if (await PageAsync(context, listed, 200, 200) is { } page)
        {
            await WriteJsonAsync(context, 200, new
            {
                kind = "admin#directory#groups",
                etag = Etag(),
                groups = page.Items.Count == 0 ? null : page.Items.Select(g => new
                {
                    kind = "admin#directory#group",
                    id = g.Id,
                    etag = Etag(),
                    email = g.Email,
                    name = g.Name,
                    directMembersCount = g.Members.Count.ToString(CultureInfo.InvariantCulture),
                    description = "",
                    adminCreated = true,
                }),
                nextPageToken = page.NextPageToken,
            }).ConfigureAwait(false);
        }
    }

    private async Task ListMembersAsync(HttpContext context, string groupKey)
    {
        if (await RejectAsync(context, MemberScope, "https://www.googleapis.com/auth/admin.directory.group.member",
                "https://www.googleapis.com/auth/admin.directory.group", GroupScope).ConfigureAwait(false))
        {
            return;
        }

        List<GoogleStandInMember>? members;
        lock (directoryGate)
        {
            // A user member's status follows the account (SUSPENDED while it is suspended), as Google reports it.
            members = Groups.Find(g => g.Id == groupKey || g.Email.Equals(groupKey, StringComparison.OrdinalIgnoreCase))?.Members
                .Select(m => m.Type == "USER" && Users.Find(u => u.Id == m.Id) is { } user ? m with { Status = user.Suspended ? "SUSPENDED" : "ACTIVE" } : m)
                .ToList();
        }

        if (members is null)
        {
            await ApiErrorAsync(context, 404, "global", "notFound", "Resource Not Found: groupKey").ConfigureAwait(false);
            return;
        }

        if (await PageAsync(context, members, 200, 200) is { } page)
        {
            await WriteJsonAsync(context, 200, new
            {
                kind = "admin#directory#members",
                etag = Etag(),
                members = page.Items.Count == 0 ? null : page.Items.Select(m => new
                {
                    kind = "admin#directory#member",
                    etag = Etag(),
                    id = m.Id,
                    email = m.Email,
                    role = m.Role,
                    type = m.Type,
                    status = m.Status,
                }),
                nextPageToken = page.NextPageToken,
            }).ConfigureAwait(false);
        }
    }

    /// <summary>Injected faults, then the bearer token, its scopes and the impersonated user's privileges.
    /// True when the request was answered.</summary>
    private async Task<bool> RejectAsync(HttpContext context, params string[] acceptedScopes)
    {
        if (faults.TryDequeue(out var fault))
        {
            context.Items["note"] = $"injected {fault}";
            await (fault switch
            {
                GoogleFault.RateLimitExceeded => ApiErrorAsync(context, 403, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
                GoogleFault.UserRateLimitExceeded => ApiErrorAsync(context, 403, "usageLimits", "userRateLimitExceeded", "User Rate Limit Exceeded"),
                GoogleFault.QuotaExceeded => ApiErrorAsync(context, 403, "usageLimits", "quotaExceeded",
                    "Quota exceeded for quota metric 'Queries' and limit 'Queries per minute per user' of service 'admin.googleapis.com'."),
                GoogleFault.TooManyRequests => ApiErrorAsync(context, 429, "usageLimits", "rateLimitExceeded", "Rate Limit Exceeded"),
                _ => ApiErrorAsync(context, 503, "global", "backendError", "Backend Error"),
            }).ConfigureAwait(false);
            return true;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("Bearer ", StringComparison.Ordinal)
            || !tokens.TryGetValue(authorization["Bearer ".Length..], out var token) || token.Expires <= Time.GetUtcNow())
        {
            context.Response.Headers.WWWAuthenticate = "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\"";
            await ApiErrorAsync(context, 401, "global", "authError",
                "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.",
                "Invalid Credentials").ConfigureAwait(false);
            return true;
        }

        if (!acceptedScopes.Any(token.Scopes.Contains))
        {
            await ApiErrorAsync(context, 403, "global", "insufficientPermissions", "Request had insufficient authentication scopes.", "Insufficient Permission").ConfigureAwait(false);
            return true;
        }

        bool admin;
        lock (directoryGate)
        {
            admin = Users.Exists(u => u.DeletionTime is null && u.IsAdmin && u.PrimaryEmail.Equals(token.Subject, StringComparison.OrdinalIgnoreCase));
        }

        if (!admin)
        {
            await ApiErrorAsync(context, 403, "global", "forbidden", "Not Authorized to access this resource/api").ConfigureAwait(false);
            return true;
        }

        return false;
    }

    /// <summary>customer/domain: which addresses the list covers, or null when answered with an error.</summary>
    private async Task<Func<string, bool>?> ScopeAsync(HttpContext context)
    {
        var customer = context.Request.Query["customer"].ToString();
        var domain = context.Request.Query["domain"].ToString();
        if ((customer.Length == 0 && domain.Length == 0) || (customer.Length > 0 && customer != "my_customer" && customer != CustomerId))
        {
            await ApiErrorAsync(context, 400, "global", "badRequest", "Bad Request").ConfigureAwait(false);
            return null;
        }

        if (domain.Length == 0)
        {
            return _ => true;
        }

        if (!Domains.Contains(domain, StringComparer.OrdinalIgnoreCase))
        {
            await ApiErrorAsync(context, 403, "global", "forbidden", "Not Authorized to access this resource/api").ConfigureAwait(false);
            return null;
        }

        return email => email.EndsWith("@" + domain, StringComparison.OrdinalIgnoreCase);
    }

    private async Task<Page<T>?> PageAsync<T>(HttpContext context, List<T> items, int defaultSize, int maxSize)
    {
        var size = defaultSize;
        var maxResults = context.Request.Query["maxResults"].ToString();
        if (maxResults.Length > 0 && (!int.TryParse(maxResults, CultureInfo.InvariantCulture, out size) || size < 1 || size > maxSize))
        {
            await ApiErrorAsync(context, 400, "global", "invalidParameter", $"Invalid value '{maxResults}'. Values must be within the range: [1, {maxSize}]").ConfigureAwait(false);
            return null;
        }

        size = Math.Min(size, MaxPageSize ?? size);
        // The token binds the offset to the request it continues, so a token from another list is refused.
        var binding = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(context.Request.Path + "?" + string.Join('&',
            context.Request.Query.Where(q => q.Key is not ("pageToken" or "maxResults")).OrderBy(q => q.Key, StringComparer.Ordinal).Select(q => $"{q.Key}={q.Value}")))))[..16];
        var offset = 0;
        var generation = Volatile.Read(ref pageTokenGeneration).ToString(CultureInfo.InvariantCulture);
        var pageToken = context.Request.Query["pageToken"].ToString();
        if (pageToken.Length > 0)
        {
            string[] decoded;
            try
            {
                decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(pageToken)).Split(':');
            }
            catch (FormatException)
            {
                decoded = [];
            }

            // Google names the refused token in the message (taers232c/GAMADV-XTD3#244: "Invalid Input: <token>").
            if (decoded.Length != 3 || decoded[1] != binding || decoded[2] != generation || !int.TryParse(decoded[0], CultureInfo.InvariantCulture, out offset))
            {
                await ApiErrorAsync(context, 400, "global", "invalid", $"Invalid Input: {pageToken}").ConfigureAwait(false);
                return null;
            }
        }

        var pageItems = items.Skip(offset).Take(size).ToList();
        var next = offset + size < items.Count ? Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{offset + size}:{binding}:{generation}")) : null;
        return new Page<T>(pageItems, next);
    }

    private object UserResource(GoogleStandInUser u) => new
    {
        kind = "admin#directory#user",
        id = u.Id,
        etag = Etag(),
        primaryEmail = u.PrimaryEmail,
        name = new { givenName = u.GivenName, familyName = u.FamilyName, fullName = $"{u.GivenName} {u.FamilyName}".Trim() },
        isAdmin = u.IsAdmin,
        isDelegatedAdmin = false,
        creationTime = "2024-01-15T09:30:00.000Z",
        agreedToTerms = true,
        suspended = u.Suspended,
        suspensionReason = u.Suspended ? "ADMIN" : null,
        archived = u.Archived,
        changePasswordAtNextLogin = false,
        ipWhitelisted = false,
        emails = u.HasEmails ? new[] { new { address = u.PrimaryEmail, primary = true } } : null,
        customerId = CustomerId,
        orgUnitPath = u.OrgUnitPath,
        isMailboxSetup = true,
        includeInGlobalAddressList = true,
        deletionTime = u.DeletionTime?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    };

    private static string Etag() => $"\"{Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(12))}\"";

    private static Task TokenErrorAsync(HttpContext context, int status, string error, string description)
    {
        context.Items["note"] = error;
        return WriteJsonAsync(context, status, new { error, error_description = description });
    }

    private static Task ApiErrorAsync(HttpContext context, int code, string domain, string reason, string message, string? itemMessage = null)
    {
        var status = code switch
        {
            400 => "INVALID_ARGUMENT",
            401 => "UNAUTHENTICATED",
            403 => "PERMISSION_DENIED",
            404 => "NOT_FOUND",
            429 => "RESOURCE_EXHAUSTED",
            _ => "UNAVAILABLE",
        };
        context.Items["note"] ??= reason;
        return WriteJsonAsync(context, code, new { error = new { code, message, errors = new[] { new { message = itemMessage ?? message, domain, reason } }, status } });
    }

    private static async Task WriteJsonAsync(HttpContext context, int statusCode, object body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(JsonSerializer.Serialize(body, Json)).ConfigureAwait(false);
    }

    private sealed record IssuedToken(string Subject, HashSet<string> Scopes, DateTimeOffset Expires);

    private sealed record Page<T>(List<T> Items, string? NextPageToken);
}
