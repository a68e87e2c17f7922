using System.Runtime.CompilerServices;
using DirectoryConnector.Operator.Resources;
using k8s;
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

    /// <summary>Secrets; the informer keeps only their metadata (<see cref="MetadataOnly(V1Secret)"/>): versions are what matter.</summary>
    public static IListWatchSource<V1Secret> Secrets(IKubernetes client, string? namespaceName, int watchTimeoutSeconds)
        => new ListWatch<V1Secret, V1SecretList>(
            $"secrets in {namespaceName ?? "all namespaces"}",
            (continueToken, cancellationToken) => namespaceName is null
                ? client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedSecretAsync(namespaceName, continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken),
            (resourceVersion, onError, cancellationToken) => (namespaceName is null
                ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken))
                .WatchAsync<V1Secret, V1SecretList>(onError, cancellationToken));

    /// <summary>ConfigMaps (file-source exports); the informer keeps only their metadata.</summary>
    public static IListWatchSource<V1ConfigMap> ConfigMaps(IKubernetes client, string? namespaceName, int watchTimeoutSeconds)
        => new ListWatch<V1ConfigMap, V1ConfigMapList>(
            $"configmaps in {namespaceName ?? "all namespaces"}",
            (continueToken, cancellationToken) => namespaceName is null
                ? client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedConfigMapAsync(namespaceName, continueParameter: continueToken, limit: PageSize, cancellationToken: cancellationToken),
            (resourceVersion, onError, cancellationToken) => (namespaceName is null
                ? client.CoreV1.ListConfigMapForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
                : client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken))
                .WatchAsync<V1ConfigMap, V1ConfigMapList>(onError, cancellationToken));

    public static V1Secret MetadataOnly(V1Secret secret)
        => new() { ApiVersion = secret.ApiVersion, Kind = secret.Kind, Metadata = secret.Metadata };

    public static V1ConfigMap MetadataOnly(V1ConfigMap configMap)
        => new() { ApiVersion = configMap.ApiVersion, Kind = configMap.Kind, Metadata = configMap.Metadata };

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
}
#pragma warning restore CS0618
