using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// Typed client for the Admin SDK Directory API v1 list calls the sync needs (users.list, groups.list, members.list;
/// https://developers.google.com/admin-sdk/directory/reference/rest), authenticated by a service-account credential
/// with domain-wide delegation. One call reads one page. Every failure becomes a <see cref="SyncFailedException"/>
/// naming the spec field to fix; Google's error reasons decide which (https://developers.google.com/admin-sdk/directory/v1/limits).
/// </summary>
public sealed class GoogleDirectoryClient(HttpClient httpClient)
{
    /// <summary>Exactly the scopes the original connector asks for; domain-wide delegation must grant all three.</summary>
    public static readonly IReadOnlyList<string> Scopes =
    [
        "https://www.googleapis.com/auth/admin.directory.user.readonly",
        "https://www.googleapis.com/auth/admin.directory.group.readonly",
        "https://www.googleapis.com/auth/admin.directory.group.member.readonly",
    ];

    internal const string Field = "spec.source.googleWorkspace";
    private static readonly HttpService Api = new("Google", $"{Field}.apiUrl", $"{Field}.caSecretRef");
    private static readonly HttpService Token = new("Google", $"{Field}.tokenUrl", $"{Field}.caSecretRef");
    private const int UsersPageSize = 500;
    private const int GroupsPageSize = 200;
    private const int MembersPageSize = 200;

    /// <summary>Google's throttling reasons: retried with backoff, never a permission problem.</summary>
    internal static readonly IReadOnlySet<string> ThrottlingReasons = new HashSet<string>(StringComparer.Ordinal)
    {
        "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded",
    };

    /// <param name="query">The Directory API search query from spec.filters.users, or null.</param>
    /// <param name="showDeleted">True lists only deleted users.</param>
    internal Task<GoogleUserList> ListUsersAsync(GoogleDirectorySession session, string? query, bool showDeleted, string? pageToken, CancellationToken cancellationToken) =>
        GetAsync(session, GoogleJsonContext.Default.GoogleUserList, "users", showDeleted ? "users.list (showDeleted)" : "users.list",
            [.. Scope(session), ("maxResults", UsersPageSize.ToString(CultureInfo.InvariantCulture)), ("query", query),
                ("showDeleted", showDeleted ? "true" : null), ("pageToken", pageToken)],
            query is null ? null : ("spec.filters.users", query), cancellationToken);

    internal Task<GoogleGroupList> ListGroupsAsync(GoogleDirectorySession session, string? query, string? pageToken, CancellationToken cancellationToken) =>
        GetAsync(session, GoogleJsonContext.Default.GoogleGroupList, "groups", "groups.list",
            [.. Scope(session), ("maxResults", GroupsPageSize.ToString(CultureInfo.InvariantCulture)), ("query", query), ("pageToken", pageToken)],
            query is null ? null : ("spec.filters.groups", query), cancellationToken);

    internal Task<GoogleMemberList> ListMembersAsync(GoogleDirectorySession session, string groupId, string? pageToken, CancellationToken cancellationToken) =>
        GetAsync(session, GoogleJsonContext.Default.GoogleMemberList, $"groups/{Uri.EscapeDataString(groupId)}/members", $"members.list of group {groupId}",
            [("maxResults", MembersPageSize.ToString(CultureInfo.InvariantCulture)), ("pageToken", pageToken)], null, cancellationToken);

    private static IEnumerable<(string, string?)> Scope(GoogleDirectorySession session) =>
        [("customer", session.Customer), ("domain", string.IsNullOrEmpty(session.Domain) ? null : session.Domain)];

    private async Task<T> GetAsync<T>(GoogleDirectorySession session, JsonTypeInfo<T> json, string path, string operation, (string Name, string? Value)[] parameters,
        (string Field, string Query)? filter, CancellationToken cancellationToken)
    {
        var queryString = string.Join('&', parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));
        var uri = new Uri(session.ApiUrl, $"admin/directory/v1/{path}?{queryString}");
        string? rejected = null;
        while (true)
        {
            var accessToken = await GetAccessTokenAsync(session, rejected, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new("Bearer", accessToken);
            var response = await Api.SendAsync(httpClient, request, operation, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            using (response)
            {
                if (response.StatusCode == HttpStatusCode.Unauthorized && rejected is null)
                {
                    // 401 authError "Invalid Credentials": the token expired or was revoked mid-read. As Google's client
                    // libraries do, get one new token and ask for this same page again; a second 401 stands.
                    rejected = accessToken;
                    continue;
                }

                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    try
                    {
                        return JsonSerializer.Deserialize(body, json)
                            ?? throw new JsonException("null body");
                    }
                    catch (JsonException ex)
                    {
                        throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                            $"{session.ApiUrl} answered {operation} with something other than a Directory API response; check {Field}.apiUrl.", retryable: true, ex);
                    }
                }

                var continued = parameters.Any(p => p.Name == "pageToken" && p.Value is not null);
                throw Failure(session, request, operation, response.StatusCode, ParseError(body), continued ? null : filter, continued);
            }
        }
    }

    /// <summary>The session's access token, requested through this client (its caSecretRef trust, HTTPS_PROXY and
    /// resilience pipeline apply to the token endpoint as to the Directory API).</summary>
    /// <param name="rejected">A token Google just answered 401 to, or null.</param>
    private async Task<string> GetAccessTokenAsync(GoogleDirectorySession session, string? rejected, CancellationToken cancellationToken)
    {
        var tokenUrl = session.Credential.TokenUrl;
        try
        {
            return await session.Credential.GetAccessTokenAsync(httpClient, rejected, cancellationToken).ConfigureAwait(false);
        }
        catch (GoogleTokenException ex) when (ex.Error is null)
        {
            // A proxy's page or another server.
            throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                $"The token endpoint {tokenUrl} did not answer with a token ({ex.Message}); check {Field}.tokenUrl and the network path (HTTPS_PROXY).", retryable: true, ex);
        }
        catch (GoogleTokenException ex)
        {
            var error = ex.Error!;
            var said = $"{error}: {ex.ErrorDescription}".TrimEnd(' ', ':');
            throw error switch
            {
                "unauthorized_client" => new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"Google refused a token for {session.AdminUser} ({said}): domain-wide delegation is not granted. In the Admin console (Security › Access and data control › "
                    + $"API controls › Domain-wide delegation) add client id {session.ClientId ?? "(the client_id of the JSON key)"} with exactly these scopes: {string.Join(",", Scopes)}.",
                    retryable: false, ex),
                "invalid_grant" => new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"Google refused a token for {session.AdminUser} ({said}): check that {Field}.adminUser is an existing, active user of the customer, that the key in "
                    + $"{Field}.serviceAccountKeySecretRef is not deleted or disabled, and that this machine's clock is right.",
                    retryable: false, ex),
                _ => new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"The token endpoint {tokenUrl} refused the service account's assertion ({said}); check {Field}.serviceAccountKeySecretRef and {Field}.tokenUrl.",
                    retryable: (int?)ex.StatusCode >= 500, ex),
            };
        }
        catch (Exception ex) when (Token.TransportFailure(ex, "the token request", tokenUrl, cancellationToken) is { } failure)
        {
            throw failure;
        }
    }

    /// <param name="filter">The query of the request, or null; only a first page's 400 blames it (Google checks the query there).</param>
    /// <param name="continued">True when the request carried a pageToken: a 400 then means Google refused the token
    /// ("Invalid Input: &lt;token&gt;", e.g. an expired or corrupted one), not the spec.</param>
    private static SyncFailedException Failure(GoogleDirectorySession session, HttpRequestMessage request, string operation, HttpStatusCode status, GoogleError? error,
        (string Field, string Query)? filter, bool continued)
    {
        var reason = error?.Errors?.Select(e => e.Reason).FirstOrDefault(r => r is not null);
        var retries = HttpRetryOutcome.Of(request) is { Attempts: > 1 } outcome ? $" after {outcome.Attempts} tries" : "";
        var message = error?.Message ?? status.ToString();
        var said = $"HTTP {(int)status}{(reason is null ? "" : " " + reason)}: {message}";
        if (reason is not null && ThrottlingReasons.Contains(reason) || status == HttpStatusCode.TooManyRequests)
        {
            return new(SyncFailureReason.SourceUnavailable,
                $"Google kept throttling {operation}{retries} ({said}); the next sync tries again. Other clients of the same project share its quota.", retryable: true);
        }

        switch ((int)status)
        {
            case 400 when filter is { } f:
                return new(SyncFailureReason.InvalidSpec,
                    $"Google rejected the query '{f.Query}' of {f.Field} ({said}); see the search syntax at "
                    + (f.Field.EndsWith("users", StringComparison.Ordinal)
                        ? "https://developers.google.com/admin-sdk/directory/v1/guides/search-users."
                        : "https://developers.google.com/admin-sdk/directory/v1/guides/search-groups."),
                    retryable: false);
            case 400 when continued:
                return new(SyncFailureReason.SourceUnavailable,
                    $"Google refused the page token it issued for the next page of {operation} ({said}); the read stopped rather than sync a partial list, "
                    + "and the next sync reads the list again from the start.", retryable: true);
            case 400:
                return new(SyncFailureReason.InvalidSpec,
                    $"Google rejected {operation} for customer '{session.Customer}'{(string.IsNullOrEmpty(session.Domain) ? "" : $" and domain '{session.Domain}'")} ({said}); "
                    + $"set {Field}.customer to my_customer or the customer id (Admin console › Account › Account settings) and {Field}.domain to one of its domains or leave it empty.",
                    retryable: false);
            case 401:
                return new(SyncFailureReason.SourceAuthFailed,
                    $"Google rejected the access token for {session.AdminUser} on {operation} ({said}); the next sync requests a new one.", retryable: true);
            case 403 when reason == "insufficientPermissions":
                return new(SyncFailureReason.SourceAuthFailed,
                    $"Google refused {operation} for {session.AdminUser} ({said}): the token lacks a scope. Domain-wide delegation of client id "
                    + $"{session.ClientId ?? "(the client_id of the JSON key)"} must grant exactly: {string.Join(",", Scopes)}.", retryable: false);
            case 403:
                return new(SyncFailureReason.SourceAuthFailed,
                    $"Google refused {operation} for {session.AdminUser} ({said}): {Field}.adminUser must be an administrator whose role may read users and groups "
                    + $"(Admin console › Account › Admin roles), domain-wide delegation of client id {session.ClientId ?? "(the client_id of the JSON key)"} must grant "
                    + $"{string.Join(",", Scopes)}, and {Field}.domain, if set, must belong to the customer.", retryable: false);
            case 404:
                return new(SyncFailureReason.SourceUnavailable,
                    $"Google no longer finds the object of {operation} ({said}): the directory changed while it was read; the next sync reads it again.", retryable: true);
            default:
                return new(SyncFailureReason.SourceUnavailable,
                    $"Google answered {operation} with {said}{retries}; the next sync tries again.", retryable: true);
        }
    }

    /// <summary>The first errors[].reason of a Google error body, or null.</summary>
    internal static string? Reason(string body) => ParseError(body)?.Errors?.Select(e => e.Reason).FirstOrDefault(r => r is not null);

    private static GoogleError? ParseError(string body)
    {
        try
        {
            return JsonSerializer.Deserialize(body, GoogleJsonContext.Default.GoogleErrorResponse)?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
