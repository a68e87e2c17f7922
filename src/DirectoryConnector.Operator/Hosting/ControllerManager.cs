using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Reconciliation;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.Operator.Runtime;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>
/// One term of work: informers for DirectorySyncs (per watched namespace, filtered by the selector) and for the Secrets
/// and ConfigMaps they reference, the work queue, and the workers. Built fresh for each leadership term.
/// </summary>
public sealed partial class ControllerManager(
    IKubernetes client,
    OperatorOptions options,
    ISyncRunner runner,
    SpecValidator validator,
    OperatorMetrics metrics,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    string identity)
{
    private static readonly TimeSpan MaxWatchBackoff = TimeSpan.FromSeconds(30);

    // Long enough that a burst's stragglers (status writes, requeues after conflicts) are done.
    private static readonly TimeSpan IdleQuietPeriod = TimeSpan.FromSeconds(10);
    private readonly ILogger logger = loggerFactory.CreateLogger<ControllerManager>();
    private volatile bool hasSynced;

    /// <summary>True once every informer has listed: reconciles only start then, so Secret versions are known.</summary>
    public bool HasSynced => hasSynced;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string?> namespaces = options.WatchNamespaces.Count == 0 ? [null] : [.. options.WatchNamespaces.Distinct(StringComparer.Ordinal)];
        using var queue = new WorkQueue(options.RetryBaseDelay, options.RetryMaxDelay, time, metrics.ForQueue(OperatorMetrics.ControllerName));
        var index = new ReferenceIndex();
        var informerLogger = loggerFactory.CreateLogger("DirectoryConnector.Operator.Runtime.Informer");

        var syncs = namespaces.Select(ns => new Informer<DirectorySync>(ListWatchSources.DirectorySyncs(client, ns, options.LabelSelector, options.WatchTimeoutSeconds), informerLogger, MaxWatchBackoff, WithoutStatus, time)).ToList();
        var secrets = namespaces.ToDictionary(ns => ns ?? "", ns => new Informer<PartialObjectMetadata>(ListWatchSources.Secrets(client, ns, options.WatchTimeoutSeconds), informerLogger, MaxWatchBackoff, PartialObjectMetadata.Identity, time), StringComparer.Ordinal);
        var configMaps = namespaces.ToDictionary(ns => ns ?? "", ns => new Informer<PartialObjectMetadata>(ListWatchSources.ConfigMaps(client, ns, options.WatchTimeoutSeconds), informerLogger, MaxWatchBackoff, PartialObjectMetadata.Identity, time), StringComparer.Ordinal);

        foreach (var informer in syncs)
        {
            informer.Added += sync =>
            {
                index.Set(ObjectKey.Of(sync), sync.Metadata.NamespaceProperty, sync.Spec);
                queue.Add(ObjectKey.Of(sync));
            };
            informer.Updated += (old, sync) =>
            {
                index.Set(ObjectKey.Of(sync), sync.Metadata.NamespaceProperty, sync.Spec);
                if (ShouldEnqueueUpdate(old, sync))
                {
                    queue.Add(ObjectKey.Of(sync));
                }
            };
            informer.Deleted += sync =>
            {
                index.Remove(ObjectKey.Of(sync));
                queue.Add(ObjectKey.Of(sync));
            };
        }

        foreach (var informer in secrets.Values)
        {
            WireReferences(informer, SpecReferences.SecretKind);
        }

        foreach (var informer in configMaps.Values)
        {
            WireReferences(informer, SpecReferences.ConfigMapKind);
        }

        DirectorySyncReconciler? reconciler = null;
        var informerTasks = syncs.Select(i => i.RunAsync(cancellationToken))
            .Concat(secrets.Values.Select(i => i.RunAsync(cancellationToken)))
            .Concat(configMaps.Values.Select(i => i.RunAsync(cancellationToken)))
            .ToList();
        try
        {
            // Every informer's first LIST, awaited rather than polled (a poll would run on the injected clock).
            await Task.WhenAll(syncs.Select(i => i.Synced).Concat(secrets.Values.Select(i => i.Synced)).Concat(configMaps.Values.Select(i => i.Synced)))
                .WaitAsync(cancellationToken).ConfigureAwait(false);

            // Syncs due at start (never run, interval elapsed while down, retrying) spread over a window.
            var jitter = StartupJitter.For(time.GetUtcNow(), syncs.Sum(i => i.Items.Count()), options.StartupSpread);
            reconciler = new DirectorySyncReconciler(
                new KubernetesDirectorySyncStore(client, identity, time),
                runner,
                validator,
                ns => new KubernetesReferenceResolver(client, ns),
                ReferenceVersion,
                metrics,
                time,
                loggerFactory.CreateLogger<DirectorySyncReconciler>(),
                jitter);
            var controller = new Controller(queue, ReconcileOwnedAsync, options.Concurrency, metrics, loggerFactory.CreateLogger<Controller>(),
                new IdleMemoryRelease(IdleQuietPeriod, time, IdleMemoryRelease.CollectAggressively));
            hasSynced = true;
            LogCachesSynced(logger, namespaces.Count == 0 || namespaces[0] is null ? "all namespaces" : string.Join(", ", namespaces), options.LabelSelector ?? "(none)", options.Concurrency);
            await controller.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Term over.
        }
        finally
        {
            hasSynced = false;
            await Task.WhenAll(informerTasks).ConfigureAwait(false);
        }

        void WireReferences<T>(Informer<T> informer, string kind)
            where T : class, IKubernetesObject<V1ObjectMeta>
        {
            void Enqueue(T item)
            {
                foreach (var owner in index.OwnersOf(item.Metadata.NamespaceProperty, kind, item.Metadata.Name))
                {
                    queue.Add(owner);
                }
            }

            informer.Added += Enqueue;
            informer.Updated += (_, item) => Enqueue(item);
            informer.Deleted += Enqueue;
        }

        // Only what this instance's namespaces and selector cover: a DirectorySync relabelled into another shard
        // leaves the cache (the watch reports it deleted) and must not be synced by two operators.
        Task<ReconcileResult> ReconcileOwnedAsync(string key, CancellationToken token)
        {
            if (syncs.Any(i => i.TryGet(key, out _)))
            {
                return reconciler!.ReconcileAsync(key, token);
            }

            var (namespaceName, name) = ObjectKey.Split(key);
            metrics.Forget(namespaceName, name);
            return Task.FromResult(ReconcileResult.Done);
        }

        string? ReferenceVersion(string namespaceName, string reference)
        {
            var (kind, name) = ObjectKey.Split(reference);
            var key = ObjectKey.Of(namespaceName, name);
            var scope = secrets.ContainsKey(namespaceName) ? namespaceName : "";
            if (kind == SpecReferences.SecretKind)
            {
                return secrets.TryGetValue(scope, out var informer) && informer.TryGet(key, out var secret) ? secret!.Metadata.ResourceVersion : null;
            }

            return configMaps.TryGetValue(scope, out var cmInformer) && cmInformer.TryGet(key, out var configMap) ? configMap!.Metadata.ResourceVersion : null;
        }
    }

    /// <summary>
    /// What the cache keeps of a DirectorySync: what the watch handlers read (metadata and spec). The reconciler reads
    /// each one fresh, so the status (shard digests, managed sets, cursor: tens of KiB each) and the managedFields are
    /// not held for every DirectorySync between syncs (issue "Performance": idle memory).
    /// </summary>
    public static DirectorySync WithoutStatus(DirectorySync sync)
    {
        ArgumentNullException.ThrowIfNull(sync);
        sync.Status = null;
        sync.Metadata.ManagedFields = null;
        return sync;
    }

    /// <summary>ESO's update predicate: generation, labels, annotations or deletion changed. Status-only writes are ignored.</summary>
    public static bool ShouldEnqueueUpdate(DirectorySync old, DirectorySync updated)
    {
        ArgumentNullException.ThrowIfNull(old);
        ArgumentNullException.ThrowIfNull(updated);
        return old.Metadata.Generation != updated.Metadata.Generation
            || !SameMap(old.Metadata.Labels, updated.Metadata.Labels)
            || !SameMap(old.Metadata.Annotations, updated.Metadata.Annotations)
            || old.Metadata.DeletionTimestamp != updated.Metadata.DeletionTimestamp;
    }

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b)
    {
        if ((a?.Count ?? 0) != (b?.Count ?? 0))
        {
            return false;
        }

        return a is null || a.All(pair => b!.TryGetValue(pair.Key, out var value) && value == pair.Value);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Caches synced for {Namespaces} (selector {Selector}); starting {Concurrency} workers")]
    private static partial void LogCachesSynced(ILogger logger, string namespaces, string selector, int concurrency);
}
