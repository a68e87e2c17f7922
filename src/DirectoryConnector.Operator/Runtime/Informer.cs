using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// List+watch into an in-memory cache keyed "namespace/name". Relists on 410 Gone (a relist reports what changed
/// while disconnected as adds, updates and deletes, so no change is missed), follows bookmarks, and reconnects after
/// errors with capped, jittered exponential backoff, waited out on <paramref name="time"/> (the host's clock; system
/// time when null).
/// </summary>
public sealed partial class Informer<T>(IListWatchSource<T> source, ILogger logger, TimeSpan maxBackoff, Func<T, T>? transform = null, TimeProvider? time = null)
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    private readonly ConcurrentDictionary<string, T> cache = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TimeProvider clock = time ?? TimeProvider.System;

    public event Action<T>? Added;

    public event Action<T, T>? Updated;

    public event Action<T>? Deleted;

    /// <summary>True once the first LIST has filled the cache.</summary>
    public bool HasSynced => synced.Task.IsCompleted;

    /// <summary>Completes when the first LIST has filled the cache (client-go's WaitForCacheSync, without polling).</summary>
    public Task Synced => synced.Task;

    public IEnumerable<T> Items => cache.Values;

    public bool TryGet(string key, out T? item) => cache.TryGetValue(key, out item);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string? resourceVersion = null;
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (resourceVersion is null)
                {
                    var list = await source.ListAsync(cancellationToken).ConfigureAwait(false);
                    Replace(list.Items);
                    resourceVersion = list.ResourceVersion;
                    synced.TrySetResult();
                    LogListed(logger, source.Description, list.Items.Count, resourceVersion);
                }

                var (lastVersion, gone, events) = await WatchOnceAsync(resourceVersion, cancellationToken).ConfigureAwait(false);
                resourceVersion = gone ? null : lastVersion;
                if (gone)
                {
                    LogGone(logger, source.Description);
                    continue;
                }

                // A watch that ends cleanly after delivering events (server timeout) resumes at once; an empty one backs off.
                failures = events > 0 ? 0 : failures + 1;
                if (failures > 1)
                {
                    await Task.Delay(Backoff(failures), clock, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsGone(ex))
            {
                resourceVersion = null;
                LogGone(logger, source.Description);
            }
            catch (Exception ex)
            {
                failures++;
                var delay = Backoff(failures);
                LogWatchFailed(logger, ex, source.Description, delay.TotalSeconds);
                try
                {
                    await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private async Task<(string ResourceVersion, bool Gone, int Events)> WatchOnceAsync(string resourceVersion, CancellationToken cancellationToken)
    {
        Exception? watchError = null;
        using var watchCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var events = 0;
        try
        {
            await foreach (var (type, item) in source.WatchAsync(resourceVersion, OnError, watchCancellation.Token).ConfigureAwait(false))
            {
                if (watchError is not null)
                {
                    break;
                }

                events++;
                var version = item?.Metadata?.ResourceVersion;
                switch (type)
                {
                    case WatchEventType.Added or WatchEventType.Modified when item is not null:
                        Upsert(item);
                        break;
                    case WatchEventType.Deleted when item is not null:
                        Remove(ObjectKey.Of(item));
                        break;
                    case WatchEventType.Bookmark:
                        break;
                    default:
                        continue;
                }

                if (!string.IsNullOrEmpty(version))
                {
                    resourceVersion = version;
                }
            }
        }
        catch (OperationCanceledException) when (watchError is not null && !cancellationToken.IsCancellationRequested)
        {
            // OnError cancelled the stream; handled below.
        }

        if (watchError is not null)
        {
            if (IsGone(watchError))
            {
                return (resourceVersion, true, events);
            }

            throw watchError;
        }

        return (resourceVersion, false, events);

        void OnError(Exception ex)
        {
            watchError ??= ex;
            watchCancellation.Cancel();
        }
    }

    private void Replace(IReadOnlyList<T> items)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            seen.Add(ObjectKey.Of(item));
            Upsert(item);
        }

        foreach (var key in cache.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            Remove(key);
        }
    }

    private void Upsert(T incoming)
    {
        var item = transform is null ? incoming : transform(incoming);
        var key = ObjectKey.Of(item);
        if (cache.TryGetValue(key, out var old))
        {
            if (old.Metadata.ResourceVersion == item.Metadata.ResourceVersion)
            {
                return;
            }

            cache[key] = item;
            Updated?.Invoke(old, item);
        }
        else
        {
            cache[key] = item;
            Added?.Invoke(item);
        }
    }

    private void Remove(string key)
    {
        if (cache.TryRemove(key, out var old))
        {
            Deleted?.Invoke(old);
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var seconds = Math.Min(Math.Pow(2, Math.Min(failures - 1, 10)) * 0.5, maxBackoff.TotalSeconds);
        return TimeSpan.FromSeconds(seconds * (0.8 + (Random.Shared.NextDouble() * 0.4)));
    }

    private static bool IsGone(Exception ex) => ex switch
    {
        KubernetesException k => k.Status?.Code == 410,
        HttpOperationException h => (int)h.Response.StatusCode == 410,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Listed {Source}: {Count} items at resourceVersion {ResourceVersion}")]
    private static partial void LogListed(ILogger logger, string source, int count, string resourceVersion);

    [LoggerMessage(Level = LogLevel.Information, Message = "Watch of {Source} expired (410 Gone); relisting")]
    private static partial void LogGone(ILogger logger, string source);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Watch of {Source} failed; reconnecting in {DelaySeconds:F1}s")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string source, double delaySeconds);
}
