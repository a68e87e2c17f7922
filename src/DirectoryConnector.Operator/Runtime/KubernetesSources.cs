using System.Runtime.CompilerServices;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Runtime;

// The one place that knows KubernetesClient's list and watch shapes (and suppresses the obsolete typed WatchAsync).
#pragma warning disable CS0618

/// <summary>Lists and watches DirectorySyncs in one namespace (null: all) matching an optional label selector.</summary>
public sealed class DirectorySyncListWatch(IKubernetes client, string? namespaceName, string? labelSelector, int watchTimeoutSeconds) : IListWatchSource<DirectorySync>
{
    public string Description => $"directorysyncs in {namespaceName ?? "all namespaces"}";

    public async Task<ListResult<DirectorySync>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<DirectorySync>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = namespaceName is null
                ? await client.CustomObjects.ListClusterCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, DirectorySync.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural, continueParameter: continueToken, labelSelector: labelSelector, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            continueToken = page.Metadata?.ContinueProperty;
            resourceVersion = page.Metadata?.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        return new ListResult<DirectorySync>(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, DirectorySync Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = namespaceName is null
            ? client.CustomObjects.ListClusterCustomObjectWithHttpMessagesAsync(DirectorySync.Group, DirectorySync.Version, DirectorySync.Plural, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
            : client.CustomObjects.ListNamespacedCustomObjectWithHttpMessagesAsync(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural, allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken);
        await foreach (var item in response.WatchAsync<DirectorySync, object>(onError, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}

/// <summary>Lists and watches Secrets in one namespace (null: all). The cache strips their data: only versions matter.</summary>
public sealed class SecretListWatch(IKubernetes client, string? namespaceName, int watchTimeoutSeconds) : IListWatchSource<V1Secret>
{
    public string Description => $"secrets in {namespaceName ?? "all namespaces"}";

    public static V1Secret MetadataOnly(V1Secret secret)
        => new() { ApiVersion = secret.ApiVersion, Kind = secret.Kind, Metadata = secret.Metadata };

    public async Task<ListResult<V1Secret>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<V1Secret>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = namespaceName is null
                ? await client.CoreV1.ListSecretForAllNamespacesAsync(continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedSecretAsync(namespaceName, continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items.Select(MetadataOnly));
            continueToken = page.Metadata?.ContinueProperty;
            resourceVersion = page.Metadata?.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        return new ListResult<V1Secret>(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1Secret Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = namespaceName is null
            ? client.CoreV1.ListSecretForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
            : client.CoreV1.ListNamespacedSecretWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken);
        await foreach (var item in response.WatchAsync<V1Secret, V1SecretList>(onError, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}

/// <summary>Lists and watches ConfigMaps in one namespace (null: all), keeping only their metadata.</summary>
public sealed class ConfigMapListWatch(IKubernetes client, string? namespaceName, int watchTimeoutSeconds) : IListWatchSource<V1ConfigMap>
{
    public string Description => $"configmaps in {namespaceName ?? "all namespaces"}";

    public static V1ConfigMap MetadataOnly(V1ConfigMap configMap)
        => new() { ApiVersion = configMap.ApiVersion, Kind = configMap.Kind, Metadata = configMap.Metadata };

    public async Task<ListResult<V1ConfigMap>> ListAsync(CancellationToken cancellationToken)
    {
        var items = new List<V1ConfigMap>();
        string? continueToken = null;
        string resourceVersion;
        do
        {
            var page = namespaceName is null
                ? await client.CoreV1.ListConfigMapForAllNamespacesAsync(continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false)
                : await client.CoreV1.ListNamespacedConfigMapAsync(namespaceName, continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items.Select(MetadataOnly));
            continueToken = page.Metadata?.ContinueProperty;
            resourceVersion = page.Metadata?.ResourceVersion ?? "";
        }
        while (!string.IsNullOrEmpty(continueToken));

        return new ListResult<V1ConfigMap>(items, resourceVersion);
    }

    public async IAsyncEnumerable<(WatchEventType Type, V1ConfigMap Object)> WatchAsync(string resourceVersion, Action<Exception> onError, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var response = namespaceName is null
            ? client.CoreV1.ListConfigMapForAllNamespacesWithHttpMessagesAsync(allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken)
            : client.CoreV1.ListNamespacedConfigMapWithHttpMessagesAsync(namespaceName, allowWatchBookmarks: true, resourceVersion: resourceVersion, timeoutSeconds: watchTimeoutSeconds, watch: true, cancellationToken: cancellationToken);
        await foreach (var item in response.WatchAsync<V1ConfigMap, V1ConfigMapList>(onError, cancellationToken).ConfigureAwait(false))
        {
            yield return item;
        }
    }
}
#pragma warning restore CS0618
