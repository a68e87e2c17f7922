using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>Where an informer lists and watches: one resource type, in one namespace or all.</summary>
public interface IListWatchSource<T>
{
    string Description { get; }

    Task<ListResult<T>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Watches from <paramref name="resourceVersion"/> with bookmarks. Error events (410 Gone) go to <paramref name="onError"/>.</summary>
    IAsyncEnumerable<(WatchEventType Type, T Object)> WatchAsync(string resourceVersion, Action<Exception> onError, CancellationToken cancellationToken);
}
