using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Bitwarden.Organization;

/// <summary>
/// Typed HttpClient for Bitwarden's public members and groups API (bitwarden/server MembersController and
/// GroupsController under /public, the organization API key's token): reads the whole organization and deletes groups.
/// GET answers ListResponseModel {"object":"list","data":[...]} with every item at once; a continuationToken, should a
/// server ever page like the events endpoint, is followed so a read is never partial.
/// </summary>
/// <remarks>Tokens come from the sync's <see cref="BitwardenClient"/> (same key, same CA trust, one cached token).</remarks>
public sealed partial class BitwardenOrganizationClient(HttpClient http, BitwardenTokenCache tokenCache, ILogger<BitwardenOrganizationClient> logger)
{
    private const int MaxPages = 10_000;

    /// <summary>Lists every member and group. Throws SyncFailedException: BitwardenAuthFailed (401 after a fresh
    /// token, 403), BitwardenApiUnsupported (404: the server has no public members API, e.g. Vaultwarden),
    /// BitwardenUnavailable (network, 5xx, 429: retryable).</summary>
    public async Task<OrganizationSnapshot> ReadAsync(BitwardenClient tokens, BitwardenEndpoints endpoints, OrganizationApiKey apiKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(apiKey);
        var members = await ListAsync(tokens, endpoints, apiKey, endpoints.MembersUrl, OrganizationJsonContext.Default.ListModelMemberModel, cancellationToken).ConfigureAwait(false);
        var groups = await ListAsync(tokens, endpoints, apiKey, endpoints.GroupsUrl, OrganizationJsonContext.Default.ListModelGroupModel, cancellationToken).ConfigureAwait(false);
        LogRead(members.Count, groups.Count, endpoints.ApiUrl);
        return new OrganizationSnapshot
        {
            Members = [.. members.Select(m => new OrganizationMember(m.Id, m.Email ?? "", m.ExternalId, m.Type ?? -1, m.Status ?? int.MinValue))],
            Groups = [.. groups.Select(g => new OrganizationGroup(g.Id, g.Name ?? "", g.ExternalId))],
        };
    }

    /// <summary>GET {api}/public/groups/{id}/member-ids for each group (a bare JSON array of organization user ids), to
    /// report who joins and leaves each group. A group gone meanwhile (404) is left out. Errors as <see cref="ReadAsync"/>.</summary>
    public async Task<IReadOnlyDictionary<Guid, IReadOnlyList<Guid>>> ReadGroupMemberIdsAsync(BitwardenClient tokens, BitwardenEndpoints endpoints, OrganizationApiKey apiKey,
        IEnumerable<OrganizationGroup> groups, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(groups);
        var result = new Dictionary<Guid, IReadOnlyList<Guid>>();
        foreach (var group in groups)
        {
            var url = new Uri($"{endpoints.GroupsUrl.AbsoluteUri}/{group.Id:D}/member-ids");
            using var response = await SendAsync(tokens, HttpMethod.Get, url, endpoints, apiKey, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                continue;
            }

            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(response, $"reading the members of group '{group.Name}'", url, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                result[group.Id] = await response.Content.ReadFromJsonAsync(OrganizationJsonContext.Default.ListGuid, cancellationToken).ConfigureAwait(false) ?? [];
            }
            catch (JsonException e)
            {
                throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable, $"{url} answered with a body that is not a list of member ids ({JsonErrorText.Describe(e)}); nothing was changed.", retryable: true, e);
            }
        }

        return result;
    }

    /// <summary>DELETE {api}/public/groups/{id}. A group already gone (404) counts as deleted.</summary>
    public async Task DeleteGroupAsync(BitwardenClient tokens, BitwardenEndpoints endpoints, OrganizationApiKey apiKey, OrganizationGroup group, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(group);
        var url = new Uri($"{endpoints.GroupsUrl.AbsoluteUri}/{group.Id:D}");
        using var response = await SendAsync(tokens, HttpMethod.Delete, url, endpoints, apiKey, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode || response.StatusCode == HttpStatusCode.NotFound)
        {
            LogGroupDeleted(group.Name, group.ExternalId);
            return;
        }

        throw await FailureAsync(response, $"deleting group '{group.Name}' (external id {group.ExternalId})", url, cancellationToken).ConfigureAwait(false);
    }

    private async Task<List<T>> ListAsync<T>(BitwardenClient tokens, BitwardenEndpoints endpoints, OrganizationApiKey apiKey, Uri url, JsonTypeInfo<ListModel<T>> listJson,
        CancellationToken cancellationToken)
    {
        var items = new List<T>();
        string? continuation = null;
        for (var page = 0; page < MaxPages; page++)
        {
            var pageUrl = continuation is null ? url : new Uri($"{url.AbsoluteUri}?continuationToken={Uri.EscapeDataString(continuation)}");
            // Deserialized as it arrives: at 200,000 members the body is ~50 MB, which a buffered read held (and copied
            // while its buffer grew) next to the members built from it.
            using var response = await SendAsync(tokens, HttpMethod.Get, pageUrl, endpoints, apiKey, cancellationToken, HttpCompletionOption.ResponseHeadersRead).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw await FailureAsync(response, "reading the organization", url, cancellationToken).ConfigureAwait(false);
            }

            ListModel<T>? list;
            try
            {
                list = await response.Content.ReadFromJsonAsync(listJson, cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException e)
            {
                throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable, $"{url} answered with a body that is not Bitwarden's list model ({JsonErrorText.Describe(e)}); nothing was changed.", retryable: true, e);
            }
            catch (Exception e) when (BitwardenClient.Service.TransportFailure(e, "reading the organization", url, cancellationToken) is { } failure)
            {
                // The connection failed while the body was streaming in.
                throw failure;
            }

            if (list?.Data is null)
            {
                throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable, $"{url} answered without a \"data\" list; nothing was changed.", retryable: true);
            }

            items.AddRange(list.Data);
            continuation = string.IsNullOrEmpty(list.ContinuationToken) ? null : list.ContinuationToken;
            if (continuation is null)
            {
                return items;
            }
        }

        throw new SyncFailedException(SyncFailureReason.BitwardenUnavailable, $"{url} kept answering with a continuationToken after {MaxPages} pages; nothing was changed.", retryable: true);
    }

    /// <summary>One request with the cached token; on 401 one fresh token and one retry.</summary>
    private async Task<HttpResponseMessage> SendAsync(BitwardenClient tokens, HttpMethod method, Uri url, BitwardenEndpoints endpoints, OrganizationApiKey apiKey, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        for (var attempt = 0; ; attempt++)
        {
            var token = await tokens.GetTokenAsync(endpoints, apiKey, cancellationToken).ConfigureAwait(false);
            using var message = new HttpRequestMessage(method, url);
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            var response = await BitwardenClient.Service.SendAsync(http, message, $"the {method} request (nothing was changed)", cancellationToken, completion).ConfigureAwait(false);

            if (response.StatusCode != HttpStatusCode.Unauthorized || attempt > 0)
            {
                return response;
            }

            response.Dispose();
            tokenCache.Remove(endpoints.IdentityUrl, apiKey);
        }
    }

    private static async Task<SyncFailedException> FailureAsync(HttpResponseMessage response, string operation, Uri url, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        string? message = null;
        try
        {
            message = JsonSerializer.Deserialize(body, OrganizationJsonContext.Default.ErrorModel)?.Message;
        }
        catch (JsonException)
        {
            // A proxy's HTML page.
        }

        var detail = string.IsNullOrWhiteSpace(message) ? "" : $": {message.TrimEnd('.')}";
        return response.StatusCode switch
        {
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new SyncFailedException(SyncFailureReason.BitwardenAuthFailed,
                $"{url} refused {operation} with HTTP {status}: use the organization's API key (client id organization.<id>), and check that its plan includes API access.", retryable: false),
            HttpStatusCode.NotFound => new SyncFailedException(SyncFailureReason.BitwardenApiUnsupported,
                $"{url} answered 404 while {operation}: this server has no public members and groups API (Vaultwarden implements only the import). "
                + "spec.sync.prune and the conflict checks need it; turn prune off to sync without reading the organization.", retryable: false),
            HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError => new SyncFailedException(SyncFailureReason.BitwardenUnavailable,
                $"Bitwarden answered HTTP {status} while {operation} ({url}){detail}; nothing was changed.", retryable: true),
            _ => new SyncFailedException(SyncFailureReason.BitwardenImportFailed, $"Bitwarden refused {operation} ({url}) with HTTP {status}{detail}.", retryable: false),
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Read the organization: {MemberCount} members and {GroupCount} groups from {ApiUrl}")]
    private partial void LogRead(int memberCount, int groupCount, Uri apiUrl);

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted group {Name} (external id {ExternalId}): the directory no longer has it")]
    private partial void LogGroupDeleted(string name, string? externalId);

    /// <summary>The answers' contracts with web defaults, generated at compile time (no reflection: Native AOT safe).</summary>
    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(ListModel<MemberModel>))]
    [JsonSerializable(typeof(ListModel<GroupModel>))]
    [JsonSerializable(typeof(List<Guid>))]
    [JsonSerializable(typeof(ErrorModel))]
    private sealed partial class OrganizationJsonContext : JsonSerializerContext;

    private sealed class ListModel<T>
    {
        public List<T>? Data { get; set; }

        public string? ContinuationToken { get; set; }
    }

    private sealed class MemberModel
    {
        public Guid Id { get; set; }

        public string? Email { get; set; }

        public string? ExternalId { get; set; }

        public int? Type { get; set; }

        public int? Status { get; set; }
    }

    private sealed class GroupModel
    {
        public Guid Id { get; set; }

        public string? Name { get; set; }

        public string? ExternalId { get; set; }
    }

    private sealed class ErrorModel
    {
        public string? Message { get; set; }
    }
}
