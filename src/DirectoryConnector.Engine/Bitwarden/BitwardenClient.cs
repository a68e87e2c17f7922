using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>Typed HttpClient for Bitwarden's token and public import endpoints; retries, timeouts and TLS trust come from the
/// shared HTTP plumbing (DirectoryConnector.Engine.Http).</summary>
public sealed partial class BitwardenClient
{
    private const int MaxListedErrors = 10;

    private readonly HttpClient http;
    private readonly TimeProvider time;
    private readonly ILogger<BitwardenClient> logger;
    private readonly BitwardenClientOptions options;
    private readonly BitwardenTokenCache tokens;

    /// <summary>Built by DI or <see cref="DirectoryHttpClientFactory"/> on the client registered by
    /// <see cref="BitwardenServiceCollectionExtensions.AddBitwardenClient"/>: the retries live in its handler pipeline.</summary>
    public BitwardenClient(HttpClient http, TimeProvider time, ILogger<BitwardenClient> logger, IOptions<BitwardenClientOptions> options, BitwardenTokenCache tokens)
    {
        ArgumentNullException.ThrowIfNull(options);
        this.http = http;
        this.time = time;
        this.logger = logger;
        this.options = options.Value;
        this.tokens = tokens;
    }

    /// <summary>Posts the requests in order. Throws SyncFailedException with BitwardenAuthFailed,
    /// BitwardenImportFailed or BitwardenUnavailable.</summary>
    public Task ImportAsync(BitwardenEndpoints endpoints, OrganizationApiKey apiKey, IReadOnlyList<OrganizationImportRequest> requests, CancellationToken cancellationToken)
        => ImportAsync(endpoints, apiKey, requests, applied: null, cancellationToken);

    /// <param name="applied">Called after each request the server accepted, with how many have been so far.</param>
    public async Task ImportAsync(BitwardenEndpoints endpoints, OrganizationApiKey apiKey, IReadOnlyList<OrganizationImportRequest> requests, Action<int>? applied, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(apiKey);
        ArgumentNullException.ThrowIfNull(requests);

        if (requests.Count == 0)
        {
            return;
        }

        // The token first. Every POST waits for its permit of the process-wide BitwardenRequestLimiter (in the HTTP pipeline).
        await GetTokenAsync(endpoints, apiKey, cancellationToken).ConfigureAwait(false);
        for (var index = 0; index < requests.Count; index++)
        {
            var request = requests[index];
            LogPosting(index + 1, requests.Count, request.Members.Count, request.Groups.Count, request.OverwriteExisting, endpoints.ImportUrl);
            try
            {
                await ImportOneAsync(endpoints, apiKey, request, $"import request {index + 1} of {requests.Count}", cancellationToken).ConfigureAwait(false);
                applied?.Invoke(index + 1);
            }
            catch (SyncFailedException failure) when (index > 0)
            {
                // Imports are not transactional: say what the organization already holds.
                throw new SyncFailedException(failure.Reason,
                    failure.Message + (index == 1 ? " The import request before it was applied." : $" The {index} import requests before it were applied."), failure.Retryable, failure);
            }
        }
    }

    private async Task ImportOneAsync(BitwardenEndpoints endpoints, OrganizationApiKey apiKey, OrganizationImportRequest request, string label, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(endpoints, apiKey, cancellationToken).ConfigureAwait(false);
        var refreshed = false;
        while (true)
        {
            using var response = await SendAsync(() => ImportMessage(endpoints.ImportUrl, token, request), label, endpoints.ImportUrl, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            if (response.StatusCode == HttpStatusCode.Unauthorized && !refreshed)
            {
                // Expired or revoked before our cached expiry: one fresh token, one retry.
                LogTokenRejected(endpoints.ImportUrl);
                tokens.Remove(endpoints.IdentityUrl, apiKey);
                token = await GetTokenAsync(endpoints, apiKey, cancellationToken).ConfigureAwait(false);
                refreshed = true;
                continue;
            }

            throw await ImportFailureAsync(response, request, label, endpoints, apiKey, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The body is serialized straight to the request stream (chunked), never held as one buffer; JsonContent
    /// serializes again on every send, so the retries of the HTTP pipeline re-send it whole.</summary>
    private static HttpRequestMessage ImportMessage(Uri importUrl, string token, OrganizationImportRequest request)
    {
        var content = JsonContent.Create(request, BitwardenJsonContext.Default.OrganizationImportRequest, new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" });
        var message = new HttpRequestMessage(HttpMethod.Post, importUrl) { Content = content };
        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return message;
    }

    /// <summary>The cached access token, or a new one. Shared with the public members and groups API client.</summary>
    internal async Task<string> GetTokenAsync(BitwardenEndpoints endpoints, OrganizationApiKey apiKey, CancellationToken cancellationToken)
    {
        if (tokens.TryGet(endpoints.IdentityUrl, apiKey, time.GetUtcNow(), out var cached))
        {
            return cached;
        }

        var tokenUrl = endpoints.TokenUrl;
        using var response = await SendAsync(() => TokenMessage(tokenUrl, apiKey), "token request", tokenUrl, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw await TokenFailureAsync(response, tokenUrl, apiKey, cancellationToken).ConfigureAwait(false);
        }

        TokenResponse? answer;
        try
        {
            answer = await response.Content.ReadFromJsonAsync(BitwardenJsonContext.Default.TokenResponse, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            answer = null;
        }

        if (string.IsNullOrEmpty(answer?.AccessToken))
        {
            throw new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
                $"{tokenUrl} answered {(int)response.StatusCode} without an access_token: it does not look like a Bitwarden identity server. "
                + "Check spec.bitwarden.serverUrl and spec.bitwarden.identityUrl.", retryable: false);
        }

        var lifetime = TimeSpan.FromSeconds(answer.ExpiresIn is > 0 ? answer.ExpiresIn.Value : 3600);
        var margin = options.TokenRefreshMargin < lifetime / 2 ? options.TokenRefreshMargin : lifetime / 2;
        tokens.Set(endpoints.IdentityUrl, apiKey, answer.AccessToken, time.GetUtcNow() + lifetime - margin);
        LogTokenObtained(apiKey.ClientId, tokenUrl, lifetime);
        return answer.AccessToken;
    }

    private HttpRequestMessage TokenMessage(Uri tokenUrl, OrganizationApiKey apiKey)
    {
        var deviceType = options.DeviceType.ToString(CultureInfo.InvariantCulture);
        // Field order and names as the original connector sends them; Vaultwarden requires the device fields.
        var form = new FormUrlEncodedContent(
        [
            new("scope", "api.organization"),
            new("client_id", apiKey.ClientId),
            new("deviceType", deviceType),
            new("deviceIdentifier", (options.DeviceIdentifier ?? DeviceIdentifierFor(apiKey.ClientId)).ToString("D")),
            new("deviceName", options.DeviceName),
            new("grant_type", "client_credentials"),
            new("client_secret", apiKey.ClientSecret),
        ]);
        form.Headers.ContentType = new MediaTypeHeaderValue("application/x-www-form-urlencoded") { CharSet = "utf-8" };
        var message = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = form };
        message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        message.Headers.Add("Device-Type", deviceType);
        return message;
    }

    /// <summary>A GUID that is the same on every run for one client id, so the server sees one device, not one per restart.</summary>
    internal static Guid DeviceIdentifierFor(string clientId)
    {
        var bytes = SHA256.HashData(Encoding.UTF8.GetBytes("directory-connector-device:" + clientId)).AsSpan(0, 16).ToArray();
        bytes[7] = (byte)((bytes[7] & 0x0F) | 0x50); // version 5 style, name-based
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80);
        return new Guid(bytes);
    }

    /// <summary>Sends once through the retrying pipeline (AddDirectoryHttpClient). Returns a response that is not transient;
    /// turns a transient one that outlived the retries, a declined Retry-After, a connection failure or a TLS failure into
    /// SyncFailedException(BitwardenUnavailable).</summary>
    private async Task<HttpResponseMessage> SendAsync(Func<HttpRequestMessage> createMessage, string operation, Uri url, CancellationToken cancellationToken)
    {
        using var message = createMessage();
        var response = await Service.SendAsync(http, message, $"the {operation}", cancellationToken).ConfigureAwait(false);
        var outcome = HttpRetryOutcome.Of(message);
        if (outcome?.DeclinedWait is { } wait)
        {
            response.Dispose();
            throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable,
                $"Bitwarden throttled the {operation} at {url} and asked to wait {wait.TotalSeconds:0} s, longer than the "
                + $"{outcome.MaxRetryAfter.TotalSeconds:0} s this client waits.", retryable: true);
        }

        if (response.StatusCode != HttpStatusCode.TooManyRequests && response.StatusCode != HttpStatusCode.RequestTimeout && (int)response.StatusCode < 500)
        {
            return response;
        }

        using (response)
        {
            var problem = $"HTTP {(int)response.StatusCode} {await ServerMessageAsync(response, cancellationToken).ConfigureAwait(false)}".TrimEnd();
            throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable,
                $"Bitwarden did not complete the {operation} at {url} after {outcome?.Attempts ?? 1} attempts; last: {problem}."
                + (response.StatusCode == HttpStatusCode.InternalServerError
                    ? " A persistent 500 from the import often means the organization holds two members with the same email or external id."
                    : ""),
                retryable: true);
        }
    }

    /// <summary>How transport failures name Bitwarden (<see cref="HttpService"/>): the organization client shares it.</summary>
    internal static HttpService Service { get; } = new("Bitwarden", "spec.bitwarden.serverUrl (or apiUrl and identityUrl)", "spec.bitwarden.caSecretRef",
        SyncFailureReason.BitwardenUnavailable);

    private static async Task<SyncFailedException> TokenFailureAsync(HttpResponseMessage response, Uri tokenUrl, OrganizationApiKey apiKey, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            // Nothing was refused: the URL is wrong, typically a self-hosted server's path prefix missing or extra.
            return new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"{tokenUrl} answered 404: there is no Bitwarden identity server at that URL, so spec.bitwarden.serverUrl (or identityUrl) is wrong. "
                + "For a self-hosted server include its path prefix, if it has one, as in https://vault.example.com/bitwarden; check that "
                + "{serverUrl}/identity/connect/token is the token endpoint.", retryable: false);
        }

        if (string.Equals(error.Error, "invalid_client", StringComparison.Ordinal))
        {
            return new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
                $"The organization API key was rejected by {tokenUrl} (invalid_client) for client id {apiKey.ClientId}: check the client id and "
                + "client secret in the Secret named by spec.bitwarden.apiKeySecretRef (a rotated key invalidates the old secret), and that the "
                + "organization is enabled and its plan includes API access.", retryable: false);
        }

        var detail = string.Join(": ", new[] { error.Error, error.ErrorDescription, error.Message }.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct());
        return new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
            $"{tokenUrl} refused the token request for client id {apiKey.ClientId} with HTTP {status}{(detail.Length > 0 ? ": " + detail : "")}.",
            retryable: false);
    }

    private static async Task<SyncFailedException> ImportFailureAsync(HttpResponseMessage response, OrganizationImportRequest request, string label,
        BitwardenEndpoints endpoints, OrganizationApiKey apiKey, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Unauthorized:
                return new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
                    $"{endpoints.ImportUrl} refused a freshly issued access token for client id {apiKey.ClientId} (401): the API and identity URLs "
                    + "may point at different servers (check spec.bitwarden.apiUrl and spec.bitwarden.identityUrl).", retryable: false);
            case HttpStatusCode.Forbidden:
                return new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
                    $"{endpoints.ImportUrl} refused the import for client id {apiKey.ClientId} (403): the token lacks the api.organization scope; "
                    + "use the organization's API key, not a personal or Secrets Manager key.", retryable: false);
            case HttpStatusCode.NotFound:
                return new SyncFailedException(SyncFailureReason.BitwardenImportFailed,
                    $"{endpoints.ImportUrl} answered 404: organization {apiKey.OrganizationId} was not found there, or the URL is not a Bitwarden API "
                    + "(check spec.bitwarden.serverUrl and spec.bitwarden.apiUrl).", retryable: false);
        }

        var text = new StringBuilder($"Bitwarden rejected {label} ({request.Members.Count} members, {request.Groups.Count} groups) with HTTP {status}");
        text.Append(string.IsNullOrWhiteSpace(error.Message) ? "." : $": {error.Message.TrimEnd('.')}.");
        var errors = error.Errors ?? [];
        // A status condition must stay readable when every entry of a large batch is invalid.
        foreach (var (field, messages) in errors.Take(MaxListedErrors))
        {
            text.Append(' ').Append(string.IsNullOrEmpty(field) ? "(body)" : field).Append(": ").Append(string.Join(" ", messages ?? []));
            if (EntryAt(request, field) is { } entry)
            {
                text.Append(" (").Append(entry).Append(')');
            }

            if (text[^1] != '.')
            {
                text.Append('.');
            }
        }

        if (errors.Count > MaxListedErrors)
        {
            text.Append(CultureInfo.InvariantCulture, $" And {errors.Count - MaxListedErrors} more invalid fields.");
        }

        return new SyncFailedException(SyncFailureReason.BitwardenImportFailed, text.ToString(), retryable: false);
    }

    /// <summary>Names the request item a model-state key such as "Members[3].Email" or "$.groups[0].name" points at.</summary>
    internal static string? EntryAt(OrganizationImportRequest request, string field)
    {
        var match = EntryPath().Match(field);
        if (!match.Success || !int.TryParse(match.Groups["index"].ValueSpan, CultureInfo.InvariantCulture, out var index))
        {
            return null;
        }

        if (match.Groups["part"].Value.Equals("members", StringComparison.OrdinalIgnoreCase))
        {
            return index < request.Members.Count
                ? $"member {Shorten(request.Members[index].Email)}, externalId {Shorten(request.Members[index].ExternalId)}"
                : null;
        }

        return index < request.Groups.Count
            ? $"group {Shorten(request.Groups[index].Name)}, externalId {Shorten(request.Groups[index].ExternalId)}"
            : null;
    }

    private static string Shorten(string? value) => value switch
    {
        null => "(null)",
        { Length: > 120 } => $"'{value[..117]}…' ({value.Length} characters)",
        _ => $"'{value}'",
    };

    private static async Task<string> ServerMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        return error.Message ?? error.ErrorDescription ?? error.Error ?? "";
    }

    /// <summary>Reads Bitwarden's error model, an OAuth error, or the start of a proxy's text page.</summary>
    private static async Task<ErrorResponse> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (string.IsNullOrWhiteSpace(body))
        {
            return new ErrorResponse();
        }

        try
        {
            if (JsonSerializer.Deserialize(body, BitwardenJsonContext.Default.ErrorResponse) is { } parsed)
            {
                return parsed;
            }
        }
        catch (JsonException)
        {
            // Not JSON: nginx and load balancers answer with HTML.
        }

        var flat = string.Join(' ', body.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return new ErrorResponse { Message = flat.Length > 200 ? flat[..200] + "…" : flat };
    }

    [GeneratedRegex(@"^\$?\.?(?<part>members|groups)\[(?<index>\d+)\]", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EntryPath();

    [LoggerMessage(Level = LogLevel.Information, Message = "Posting import {Index} of {Count} ({MemberCount} members, {GroupCount} groups, overwriteExisting {OverwriteExisting}) to {ImportUrl}")]
    private partial void LogPosting(int index, int count, int memberCount, int groupCount, bool overwriteExisting, Uri importUrl);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Obtained an access token for {ClientId} from {TokenUrl}, valid for {Lifetime}")]
    private partial void LogTokenObtained(string clientId, Uri tokenUrl, TimeSpan lifetime);

    [LoggerMessage(Level = LogLevel.Information, Message = "{ImportUrl} refused the cached access token; requesting a new one and retrying once")]
    private partial void LogTokenRejected(Uri importUrl);

    /// <summary>The request body, the token answer and the error model with web defaults (camelCase, case-insensitive
    /// reading), generated at compile time: no reflection, so the client works in a Native AOT executable.</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(OrganizationImportRequest))]
    [JsonSerializable(typeof(TokenResponse))]
    [JsonSerializable(typeof(ErrorResponse))]
    private sealed partial class BitwardenJsonContext : JsonSerializerContext;

    private sealed class TokenResponse
    {
        [System.Text.Json.Serialization.JsonPropertyName("access_token")]
        public string? AccessToken { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("expires_in")]
        public int? ExpiresIn { get; set; }
    }

    /// <summary>Bitwarden's ErrorResponseModel and the OAuth error fields of the identity server.</summary>
    private sealed class ErrorResponse
    {
        public string? Message { get; set; }

        public Dictionary<string, string[]?>? Errors { get; set; }

        public string? Error { get; set; }

        [System.Text.Json.Serialization.JsonPropertyName("error_description")]
        public string? ErrorDescription { get; set; }
    }
}
