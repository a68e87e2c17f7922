using System.Net;
using System.Threading.Channels;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Emulator;

public sealed class KubeApiEmulatorWatchTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task WatchFromAResourceVersionSeesLaterChangesAndBookmarks()
    {
        await using var cluster = await KubeTestCluster.StartAsync(o => o.BookmarkInterval = TimeSpan.FromMilliseconds(200));
        await cluster.CreateAsync(KubeTestCluster.Sample("before"));
        var list = await cluster.Client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural);

        await using var watch = Watch(cluster, list.Metadata.ResourceVersion);
        await cluster.CreateAsync(KubeTestCluster.Sample("after"));
        await cluster.PatchAsync("after", """{"spec":{"suspend":true}}""", V1Patch.PatchType.MergePatch);
        await cluster.Client.CustomObjects.DeleteNamespacedCustomObjectAsync(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural, "after");

        var changes = await watch.NextAsync(3, skipBookmarks: true);
        changes.Select(e => (e.Type, e.Object.Metadata.Name)).Should().Equal(
            (WatchEventType.Added, "after"), (WatchEventType.Modified, "after"), (WatchEventType.Deleted, "after"));
        changes[1].Object.Spec.Suspend.Should().BeTrue();

        var bookmark = await watch.NextBookmarkAsync();
        long.Parse(bookmark.Object.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            .Should().BeGreaterThanOrEqualTo(long.Parse(changes[2].Object.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task WatchWithoutAResourceVersionStartsWithTheCurrentObjects()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        await cluster.CreateAsync(KubeTestCluster.Sample("existing"));

        await using var watch = Watch(cluster, resourceVersion: null);

        var first = (await watch.NextAsync(1, skipBookmarks: true)).Single();
        first.Type.Should().Be(WatchEventType.Added);
        first.Object.Metadata.Name.Should().Be("existing");
    }

    [Fact]
    public async Task WatchFromACompactedResourceVersionGets410Gone()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        await cluster.PatchAsync("corp-ad", """{"spec":{"suspend":true}}""", V1Patch.PatchType.MergePatch);
        cluster.Emulator.CompactHistory();

        await using var watch = Watch(cluster, created.Metadata.ResourceVersion);

        var error = await watch.ErrorAsync();
        error.Should().BeOfType<KubernetesException>().Which.Status.Code.Should().Be(410);
    }

    [Fact]
    public async Task BoundedHistoryCompactsOldVersionsOnItsOwn()
    {
        await using var cluster = await KubeTestCluster.StartAsync(o => o.HistoryLimit = 2);
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        foreach (var interval in new[] { "20m", "25m", "30m" })
        {
            await cluster.PatchAsync("corp-ad", "{\"spec\":{\"interval\":\"" + interval + "\"}}", V1Patch.PatchType.MergePatch);
        }

        await using var tooOld = Watch(cluster, created.Metadata.ResourceVersion);
        (await tooOld.ErrorAsync()).Should().BeOfType<KubernetesException>().Which.Status.Code.Should().Be(410);

        var latest = await cluster.GetAsync("corp-ad");
        await using var recent = Watch(cluster, (long.Parse(latest.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        (await recent.NextAsync(1, skipBookmarks: true)).Single().Object.Spec.Interval.Should().Be("30m");
    }

    [Fact]
    public async Task TimeoutSecondsEndsTheWatchWithABookmark()
    {
        await using var cluster = await KubeTestCluster.StartAsync(o => o.BookmarkInterval = TimeSpan.FromMinutes(5));
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));

        await using var watch = Watch(cluster, created.Metadata.ResourceVersion, timeoutSeconds: 1);

        (await watch.NextBookmarkAsync()).Object.Metadata.ResourceVersion.Should().Be(created.Metadata.ResourceVersion);
        (await watch.EndAsync()).Should().BeNull("the server closes a timed-out watch cleanly");
    }

    [Fact]
    public async Task DroppedWatchesEndAndAResumedWatchMissesNothing()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        var watch = Watch(cluster, created.Metadata.ResourceVersion);
        await cluster.PatchAsync("corp-ad", """{"spec":{"interval":"20m"}}""", V1Patch.PatchType.MergePatch);
        var seen = (await watch.NextAsync(1, skipBookmarks: true)).Single();

        cluster.Emulator.DropWatches().Should().Be(1);
        await watch.EndAsync();
        await watch.DisposeAsync();
        await cluster.PatchAsync("corp-ad", """{"spec":{"interval":"25m"}}""", V1Patch.PatchType.MergePatch);

        await using var resumed = Watch(cluster, seen.Object.Metadata.ResourceVersion);
        var missed = (await resumed.NextAsync(1, skipBookmarks: true)).Single();
        missed.Object.Spec.Interval.Should().Be("25m");
    }

    [Fact]
    public async Task LabelSelectorWatchSeesObjectsEnterAndLeaveTheSelection()
    {
        await using var cluster = await KubeTestCluster.StartAsync();
        var created = await cluster.CreateAsync(KubeTestCluster.Sample("corp-ad"));
        await using var watch = Watch(cluster, created.Metadata.ResourceVersion, labelSelector: "shard=a");

        await cluster.PatchAsync("corp-ad", """{"metadata":{"labels":{"shard":"a"}}}""", V1Patch.PatchType.MergePatch);
        await cluster.PatchAsync("corp-ad", """{"metadata":{"labels":{"shard":"b"}}}""", V1Patch.PatchType.MergePatch);

        (await watch.NextAsync(2, skipBookmarks: true)).Select(e => e.Type).Should().Equal(WatchEventType.Added, WatchEventType.Deleted);
    }

    private static WatchSession Watch(KubeTestCluster cluster, string? resourceVersion, int? timeoutSeconds = null, string? labelSelector = null)
    {
        var session = new WatchSession();
        session.Start(cluster.Client.CustomObjects.WatchListNamespacedCustomObjectAsync(
            DirectorySync.Group, DirectorySync.Version, KubeTestCluster.Namespace, DirectorySync.Plural,
            allowWatchBookmarks: true, labelSelector: labelSelector, resourceVersion: resourceVersion, timeoutSeconds: timeoutSeconds,
            onError: session.OnError));
        return session;
    }

    /// <summary>Pumps a real KubernetesClient watch into a channel the test reads with a deadline.</summary>
    private sealed class WatchSession : IAsyncDisposable
    {
        private readonly Channel<(WatchEventType Type, DirectorySync Object)> _events = Channel.CreateUnbounded<(WatchEventType, DirectorySync)>();
        private readonly CancellationTokenSource _stop = new();
        private Task<Exception?> _pump = Task.FromResult<Exception?>(null);
        private Exception? _reported;

        public void Start(IAsyncEnumerable<(WatchEventType, object)> source) => _pump = PumpAsync(source);

        /// <summary>KubernetesClient reports an ERROR event (such as 410 Gone) here rather than throwing.</summary>
        public void OnError(Exception error) => _reported = error;

        public async Task<List<(WatchEventType Type, DirectorySync Object)>> NextAsync(int count, bool skipBookmarks)
        {
            using var deadline = new CancellationTokenSource(Patience);
            var result = new List<(WatchEventType, DirectorySync)>();
            while (result.Count < count)
            {
                var next = await _events.Reader.ReadAsync(deadline.Token);
                if (!skipBookmarks || next.Type != WatchEventType.Bookmark)
                {
                    result.Add(next);
                }
            }

            return result;
        }

        public async Task<(WatchEventType Type, DirectorySync Object)> NextBookmarkAsync()
        {
            using var deadline = new CancellationTokenSource(Patience);
            while (true)
            {
                var next = await _events.Reader.ReadAsync(deadline.Token);
                if (next.Type == WatchEventType.Bookmark)
                {
                    return next;
                }
            }
        }

        /// <summary>Waits for the watch to end; the exception it ended with, if any.</summary>
        public Task<Exception?> EndAsync() => _pump.WaitAsync(Patience);

        public async Task<Exception?> ErrorAsync() =>
            await EndAsync() ?? _reported ?? throw new InvalidOperationException("The watch ended without an error.");

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _pump.WaitAsync(Patience);
            _stop.Dispose();
        }

        private async Task<Exception?> PumpAsync(IAsyncEnumerable<(WatchEventType, object)> source)
        {
            try
            {
                await foreach (var (type, obj) in source.WithCancellation(_stop.Token))
                {
                    var sync = KubernetesJson.Deserialize<DirectorySync>(KubernetesJson.Serialize(obj));
                    _events.Writer.TryWrite((type, sync));
                }

                return null;
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return null;
            }
#pragma warning disable CA1031 // The test inspects how the watch ended.
            catch (Exception error)
#pragma warning restore CA1031
            {
                return error;
            }
        }
    }
}
