using System.Runtime.CompilerServices;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DirectoryConnector.Operator.Runtime;

// The one place that knows KubernetesClient's list and watch shapes (and suppresses the obsolete typed WatchAsync).
#pragma warning disable CS0618

/// <summary>The list+watch sources the operator's informers run on, one per kind and namespace (null: all).</summary>
public static class ListWatchSources
{
    private const int PageSize = 500;

    /// <summary>DirectorySyncs matching an optional label selector.</summary>
    public static IListWatchSource<DirectorySync> DirectorySyncs(IKubernetes client, string? namespaceName, string? labelSelector, int watchTimeoutSeconds)
        => new ListWatch<DirectorySync, DirectorySyncList>(
            $"directorysyncs in {namespaceName ?? "all namespaces"}",
            (continueToken, cancellationToken) => namespaceName is null
                ? client.CustomObjects.ListClusterCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, DirectorySync.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: cancellationToken)
                : client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: PageSize, cancellationToken: cancellationToken),
            (resourceVersion, onError, cancellationToken) => (namespaceName is null
                ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(DirectorySync.Group, DirectorySync.Version, DirectorySync.Plural, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
                : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken))
                .WatchAsync<DirectorySync, object>(onError, cancellationToken));

    /// <summary>
    /// Secrets as metadata only (PartialObjectMetadata, as controller-runtime's metadata-only informers request them):
    /// their values never reach this process through list or watch, so memory does not grow with every Secret in the
    /// cluster and no value sits in a cache. A sync reads the values it needs with a GET.
    /// </summary>
    public static IListWatchSource<PartialObjectMetadata> Secrets(IKubernetes client, string? namespaceName, int watchTimeoutSeconds)
        => Metadata<V1SecretList, V1Secret>("secrets", namespaceName, watchTimeoutSeconds, (request, cancellationToken) => namespaceName is null
            ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: request.AllowWatchBookmarks, continueParameter: request.Continue, limit: request.Limit,
                resourceVersion: request.ResourceVersion, timeoutSeconds: request.TimeoutSeconds, watch: request.Watch, customHeaders: request.Accept, cancellationToken: cancellationToken)
            : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: request.AllowWatchBookmarks, continueParameter: request.Continue, limit: request.Limit,
                resourceVersion: request.ResourceVersion, timeoutSeconds: request.TimeoutSeconds, watch: request.Watch, customHeaders: request.Accept, cancellationToken: cancellationToken));

    /// <summary>ConfigMaps (file-source exports) as metadata only, like <see cref="Secrets"/>.</summary>
    public static IListWatchSource<PartialObjectMetadata> ConfigMaps(IKubernetes client, string? namespaceName, int watchTimeoutSeconds)
        => Metadata<V1ConfigMapList, V1ConfigMap>("configmaps", namespaceName, watchTimeoutSeconds, (request, cancellationToken) => namespaceName is null
            ? client.CoreV1.ListConfigMapForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: request.AllowWatchBookmarks, continueParameter: request.Continue, limit: request.Limit,
                resourceVersion: request.ResourceVersion, timeoutSeconds: request.TimeoutSeconds, watch: request.Watch, customHeaders: request.Accept, cancellationToken: cancellationToken)
            : client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: request.AllowWatchBookmarks, continueParameter: request.Continue, limit: request.Limit,
                resourceVersion: request.ResourceVersion, timeoutSeconds: request.TimeoutSeconds, watch: request.Watch, customHeaders: request.Accept, cancellationToken: cancellationToken));

    /// <summary>The one metadata-only list+watch path: <paramref name="call"/> is the kind's list operation (all
    /// namespaces or one), asked for a page of a PartialObjectMetadataList or for a watch of PartialObjectMetadata.</summary>
    private static ListWatch<PartialObjectMetadata, MetadataPage> Metadata<TList, TItem>(string resource, string? namespaceName, int watchTimeoutSeconds,
        Func<MetadataRequest, CancellationToken, Task<HttpOperationResponse<TList>>> call)
        where TList : IKubernetesObject<V1ListMeta>, IItems<TItem>
        where TItem : IKubernetesObject<V1ObjectMeta>
        => new(
            $"{resource} (metadata) in {namespaceName ?? "all namespaces"}",
            async (continueToken, cancellationToken) =>
            {
                using var response = await call(MetadataRequest.Page(continueToken), cancellationToken).ConfigureAwait(false);
                return MetadataPage.Of(response.Body, response.Body.Items, resource);
            },
            (resourceVersion, onError, cancellationToken) => call(MetadataRequest.WatchFrom(resourceVersion, watchTimeoutSeconds), cancellationToken)
                .WatchAsync<PartialObjectMetadata, TList>(onError, cancellationToken));

    /// <summary>The arguments a list operation takes for a page (continue, limit) or a watch (from a resourceVersion).</summary>
    private sealed record MetadataRequest(string? Continue, int? Limit, string? ResourceVersion, int? TimeoutSeconds, bool? Watch, bool? AllowWatchBookmarks,
        IReadOnlyDictionary<string, IReadOnlyList<string>> Accept)
    {
        public static MetadataRequest Page(string? continueToken) => new(continueToken, PageSize, null, null, null, null, ListAccept);

        public static MetadataRequest WatchFrom(string resourceVersion, int timeoutSeconds) => new(null, null, resourceVersion, timeoutSeconds, true, true, WatchAccept);
    }

    // No plain application/json fallback (client-go's metadata client has one): a server that cannot answer with
    // metadata answers 406, rather than sending every value.
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> ListAccept =
        new Dictionary<string, IReadOnlyList<string>> { ["Accept"] = [PartialObjectMetadata.AcceptList] };

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> WatchAccept =
        new Dictionary<string, IReadOnlyList<string>> { ["Accept"] = [PartialObjectMetadata.AcceptObject] };

    /// <summary>Pages through a list (keeping the last page's resourceVersion to watch from) and watches.</summary>
    private sealed class ListWatch<T, TList>(
        string description,
        Func<string?, CancellationToken, Task<TList>> listPage,
        Func<string, Action<Exception>, CancellationToken, IAsyncEnumerable<(WatchEventType Type, T Object)>> watch)
        : IListWatchSource<T>
        where TList : IMetadata<V1ListMeta>, IItems<T>
    {
        public string Description => description;

        public async Task<ListResult<T>> ListAsync(CancellationToken cancellationToken)
        {
            var items = new List<T>();
            string? continueToken = null;
            string resourceVersion;
            do
            {
                var page = await listPage(continueToken, cancellationToken).ConfigureAwait(false);
                items.AddRange(page.Items);
                continueToken = page.Metadata?.ContinueProperty;
                resourceVersion = page.Metadata?.ResourceVersion ?? "";
            }
            while (!string.IsNullOrEmpty(continueToken));

            return new ListResult<T>(items, resourceVersion);
        }

        public async IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await foreach (var item in watch(resourceVersion, onError, cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }

    /// <summary>A page of a PartialObjectMetadataList (KubernetesClient reads it into the typed list; only metadata is there).</summary>
    private sealed class MetadataPage : IMetadata<V1ListMeta>, IItems<PartialObjectMetadata>
    {
        public V1ListMeta Metadata { get; set; } = new();

        public IList<PartialObjectMetadata> Items { get; set; } = [];

        public static MetadataPage Of<TItem>(IKubernetesObject<V1ListMeta> list, IEnumerable<TItem>? items, string resource)
            where TItem : IKubernetesObject<V1ObjectMeta>
        {
            if (list.Kind != PartialObjectMetadata.ListKindName)
            {
                throw new InvalidOperationException($"The API server answered a metadata-only list of {resource} with {list.Kind ?? "an unknown kind"}, not {PartialObjectMetadata.ListKindName}.");
            }

            return new MetadataPage
            {
                Metadata = list.Metadata ?? new V1ListMeta(),
                Items = [.. (items ?? []).Select(item => new PartialObjectMetadata { Metadata = item.Metadata })],
            };
        }
    }
}
#pragma warning restore CS0618
