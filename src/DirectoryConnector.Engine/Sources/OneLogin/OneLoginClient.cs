using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.OneLogin;

/// <summary>
/// Typed client for OneLogin's v2 API: a client-credentials token (POST /auth/oauth2/v2/token, Basic auth, JSON grant),
/// cached for its lifetime and fetched once more when a call answers 401; lists read page by page through the
/// <c>After-Cursor</c> response header (developers.onelogin.com/api-docs/2/getting-started/using-query-parameters).
/// Pacing and retries come from the HTTP plumbing with <see cref="OneLoginRateLimitPolicy"/>: when
/// <c>X-RateLimit-Remaining</c> reaches 0 the next call waits <c>X-RateLimit-Reset</c> seconds, and a 429 is sent again
/// after it, so a throttled read ends with the same result as an unthrottled one. Every failure is a
/// <see cref="SyncFailedException"/> naming the spec field to fix. Create it with DirectoryHttpClientFactory.Create
/// (the caSecretRef's CA); register it with <c>AddDirectoryHttpClient&lt;OneLoginClient&gt;(new OneLoginRateLimitPolicy())</c>.
/// </summary>
public sealed partial class OneLoginClient(HttpClient http, OneLoginTokenCache tokens, TimeProvider time, ILogger<OneLoginClient> logger)
{
    /// <summary>Items per page; the v2 list endpoints document 50 by default and accept up to 100 everywhere.</summary>
    public const int PageSize = 100;

    private static readonly byte[] GrantBody = Encoding.UTF8.GetBytes("""{"grant_type":"client_credentials"}""");


    /// <summary>Users in the account, every page. <paramref name="query"/> is a raw query string (the filter's part after
    /// <c>|</c>, e.g. <c>email=*@example.com</c>); a 400 for it fails naming <paramref name="queryField"/>.</summary>
    public IAsyncEnumerable<OneLoginUser> ListUsersAsync(OneLoginConnection connection, string? query, string queryField, CancellationToken cancellationToken) =>
        ListAsync(connection, OneLoginJsonContext.Default.ListOneLoginUser, "api/2/users", query, queryField, cancellationToken);

    /// <summary>Roles in the account, every page.</summary>
    public IAsyncEnumerable<OneLoginRole> ListRolesAsync(OneLoginConnection connection, string? query, string queryField, CancellationToken cancellationToken) =>
        ListAsync(connection, OneLoginJsonContext.Default.ListOneLoginRole, "api/2/roles", query, queryField, cancellationToken);

    /// <summary>Users assigned to a role, every page.</summary>
    public IAsyncEnumerable<OneLoginRoleMember> ListRoleMembersAsync(OneLoginConnection connection, long roleId, CancellationToken cancellationToken) =>
        ListAsync(connection, OneLoginJsonContext.Default.ListOneLoginRoleMember, string.Create(CultureInfo.InvariantCulture, $"api/2/roles/{roleId}/users"), null, connection.Field, cancellationToken);

    private async IAsyncEnumerable<T> ListAsync<T>(OneLoginConnection connection, JsonTypeInfo<List<T>> pageJson, string path, string? query, string queryField,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? cursor = null;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pages = 0;
        var count = 0;
        do
        {
            var parameters = new List<string>();
            if (!string.IsNullOrWhiteSpace(query))
            {
                parameters.Add(query.Trim().TrimStart('?'));
            }

            parameters.Add(string.Create(CultureInfo.InvariantCulture, $"limit={PageSize}"));
            if (cursor is not null)
            {
                parameters.Add("cursor=" + Uri.EscapeDataString(cursor));
            }

            var uri = new Uri(connection.ApiUrl, path + "?" + string.Join('&', parameters));
            List<T> items;
            using (var response = await SendAsync(connection, uri, queryField, cancellationToken).ConfigureAwait(false))
            {
                items = await ReadAsync(response, pageJson, connection, path, cancellationToken).ConfigureAwait(false);
                cursor = response.Headers.TryGetValues("After-Cursor", out var values) ? values.FirstOrDefault() : null;
            }

            pages++;
            count += items.Count;
            foreach (var item in items)
            {
                yield return item;
            }

            if (string.IsNullOrEmpty(cursor))
            {
                cursor = null;
            }
            else if (!seen.Add(cursor))
            {
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"OneLogin at {connection.ApiUrl} returned the same After-Cursor twice while listing /{path}: the listing would never end; try again later.", retryable: true);
            }
        }
        while (cursor is not null);

        LogListed(logger, path, count, pages);
    }

    private async Task<HttpResponseMessage> SendAsync(OneLoginConnection connection, Uri uri, string queryField, CancellationToken cancellationToken)
    {
        var refreshed = false;
        while (true)
        {
            var token = await GetTokenAsync(connection, cancellationToken).ConfigureAwait(false);
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var response = await TransportAsync(connection, request, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            using (response)
            {
                var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
                var path = uri.AbsolutePath;
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Unauthorized when !refreshed:
                        // The token expired or was revoked before its stated lifetime: one fresh token, then give up.
                        refreshed = true;
                        tokens.Remove(connection);
                        continue;
                    case HttpStatusCode.Unauthorized:
                        throw new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                            $"OneLogin at {connection.ApiUrl} rejected a fresh access token for client id {connection.ClientId} on {path} (401{detail}): check {connection.Field}.clientId and the secret in {connection.Field}.clientSecretRef.",
                            retryable: false);
                    case HttpStatusCode.Forbidden:
                        throw new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                            $"OneLogin at {connection.ApiUrl} refused {path} to the API credential {connection.ClientId} (403{detail}): give the credential the scope \"Read users\" (or Read All / Manage users / Manage All) under Developers > API Credentials, or put such a credential in {connection.Field}.clientId and {connection.Field}.clientSecretRef.",
                            retryable: false);
                    case HttpStatusCode.TooManyRequests:
                        throw Throttled(response, connection, path);
                    case HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity:
                        throw new SyncFailedException(SyncFailureReason.SourceQueryFailed,
                            $"OneLogin at {connection.ApiUrl} rejected the query {uri.Query} on {path} ({(int)response.StatusCode}{detail}): check the query string after \"|\" in {queryField}.",
                            retryable: false);
                    case HttpStatusCode.NotFound:
                        throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                            $"OneLogin at {connection.ApiUrl} answered 404 for {path}{detail}: the role was deleted during the read, or {connection.Field}.apiUrl is not a OneLogin API URL.",
                            retryable: true);
                    default:
                        throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                            $"OneLogin at {connection.ApiUrl} answered {(int)response.StatusCode} for {path}{detail}.", retryable: true);
                }
            }
        }
    }

    private async Task<string> GetTokenAsync(OneLoginConnection connection, CancellationToken cancellationToken)
    {
        if (tokens.Get(connection, time.GetUtcNow()) is { } cached)
        {
            return cached;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(connection.ApiUrl, "auth/oauth2/v2/token"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{connection.ClientId}:{connection.ClientSecret}")));
        request.Content = new ByteArrayContent(GrantBody) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
        var issuedAt = time.GetUtcNow();
        using var response = await TransportAsync(connection, request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            var body = await ReadAsync(response, OneLoginJsonContext.Default.TokenResponse, connection, "auth/oauth2/v2/token", cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrEmpty(body.AccessToken))
            {
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"OneLogin at {connection.ApiUrl} answered the token request without an access_token; check {connection.Field}.apiUrl.", retryable: true);
            }

            // Renew a minute early (or halfway through very short lifetimes) so a call never carries an expiring token.
            var lifetime = TimeSpan.FromSeconds(Math.Max(0, body.ExpiresIn ?? 36000));
            var margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(1).Ticks, lifetime.Ticks / 2));
            tokens.Set(connection, body.AccessToken, issuedAt + lifetime - margin);
            return body.AccessToken;
        }

        var detail = await ErrorDetailAsync(response, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                throw new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"OneLogin at {connection.ApiUrl} rejected the API credential {connection.ClientId} ({(int)response.StatusCode}{detail}): check {connection.Field}.clientId and the secret in {connection.Field}.clientSecretRef (Developers > API Credentials).",
                    retryable: false);
            case HttpStatusCode.TooManyRequests:
                throw Throttled(response, connection, "/auth/oauth2/v2/token");
            case HttpStatusCode.BadRequest:
                throw new SyncFailedException(SyncFailureReason.SourceAuthFailed,
                    $"OneLogin at {connection.ApiUrl} refused the client-credentials token request (400{detail}); check {connection.Field}.apiUrl and {connection.Field}.clientId.",
                    retryable: false);
            case HttpStatusCode.NotFound:
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"OneLogin at {connection.ApiUrl} has no token endpoint /auth/oauth2/v2/token (404): check {connection.Field}.region or {connection.Field}.apiUrl.",
                    retryable: false);
            case HttpStatusCode.InternalServerError:
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"OneLogin at {connection.ApiUrl} answered 500 to the token request{detail}. OneLogin answers so when the user who created the API credential {connection.ClientId} was deleted: create a new credential and update {connection.Field}.clientId and {connection.Field}.clientSecretRef.",
                    retryable: true);
            default:
                throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                    $"OneLogin at {connection.ApiUrl} answered {(int)response.StatusCode} to the token request{detail}.", retryable: true);
        }
    }

    private Task<HttpResponseMessage> TransportAsync(OneLoginConnection connection, HttpRequestMessage request, CancellationToken cancellationToken)
        => new HttpService("OneLogin", $"{connection.Field}.region or {connection.Field}.apiUrl", $"{connection.Field}.caSecretRef")
            .SendAsync(http, request, request.RequestUri!.AbsolutePath, cancellationToken);

    /// <summary>A 429 that outlasted the plumbing's retries, or whose reset was too far away to wait for.</summary>
    private static SyncFailedException Throttled(HttpResponseMessage response, OneLoginConnection connection, string path)
    {
        var outcome = HttpRetryOutcome.Of(response.RequestMessage);
        var why = outcome?.DeclinedWait is { } wait
            ? string.Create(CultureInfo.InvariantCulture, $"its rate limit resets in {wait.TotalSeconds:0} s, longer than a sync waits")
            : string.Create(CultureInfo.InvariantCulture, $"still after {outcome?.Attempts ?? 1} attempts");
        return new SyncFailedException(SyncFailureReason.SourceUnavailable,
            $"OneLogin at {connection.ApiUrl} throttled {path} (429) for client id {connection.ClientId}: {why}. Other API clients share the account's limit of calls an hour.",
            retryable: true);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> json, OneLoginConnection connection, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(json, cancellationToken).ConfigureAwait(false) ?? throw new JsonException("the body is null");
        }
        catch (Exception error) when (error is JsonException or NotSupportedException or InvalidOperationException)
        {
            throw new SyncFailedException(SyncFailureReason.SourceUnavailable,
                $"OneLogin at {connection.ApiUrl} answered /{path} with a body that is not the documented JSON ({error.Message}); check {connection.Field}.apiUrl.",
                retryable: true, error);
        }
    }

    /// <summary>": message" from a v2 error body ({"message","statusCode","name"}) or the token endpoint's
    /// {"status":{"message"}}; empty when there is none. Never echoes anything but the message text.</summary>
    private static async Task<string> ErrorDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("status", out var status) && status.ValueKind == JsonValueKind.Object)
            {
                root = status;
            }

            return root.ValueKind == JsonValueKind.Object && root.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String
                ? ": " + message.GetString()
                : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "OneLogin /{Path} listed {Count} entries in {Pages} pages")]
    private static partial void LogListed(ILogger logger, string path, int count, int pages);

    /// <summary>The v2 answers' contracts with web defaults, generated at compile time (no reflection: Native AOT safe).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(List<OneLoginUser>))]
    [JsonSerializable(typeof(List<OneLoginRole>))]
    [JsonSerializable(typeof(List<OneLoginRoleMember>))]
    [JsonSerializable(typeof(TokenResponse))]
    private sealed partial class OneLoginJsonContext : JsonSerializerContext;

    private sealed record TokenResponse(
        [property: System.Text.Json.Serialization.JsonPropertyName("access_token")] string? AccessToken,
        [property: System.Text.Json.Serialization.JsonPropertyName("expires_in")] long? ExpiresIn);
}
