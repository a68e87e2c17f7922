using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>A change as a watch sends it; Previous lets a filtered watch turn a change into ADDED or DELETED.</summary>
public sealed record StoredEvent(long ResourceVersion, ApiResourceType Type, string Kind, JsonObject Resource, JsonObject? Previous);

/// <summary>
/// All objects with one resourceVersion counter (as etcd's revision), a bounded event history and the open watches.
/// Every method takes the one lock, so a watch registered from a resourceVersion misses no event and sees none twice.
/// </summary>
public sealed class ResourceStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Resource, string Namespace, string Name), JsonObject> _objects = [];
    private readonly LinkedList<StoredEvent> _history = new();
    private readonly List<WatchSubscription> _watches = [];
    private readonly int _historyLimit;
    private long _resourceVersion = 1;
    private long _compactedThrough = 1;

    public ResourceStore(int historyLimit) => _historyLimit = historyLimit;

    public long ResourceVersion
    {
        get
        {
            lock (_lock)
            {
                return _resourceVersion;
            }
        }
    }

    /// <summary>Watches from a resourceVersion at or below this one get 410 Gone.</summary>
    public long CompactedThrough
    {
        get
        {
            lock (_lock)
            {
                return _compactedThrough;
            }
        }
    }

    public JsonObject? Get(ApiResourceType type, string ns, string name)
    {
        lock (_lock)
        {
            return _objects.GetValueOrDefault((type.QualifiedName, ns, name))?.DeepClone().AsObject();
        }
    }

    public (List<JsonObject> Items, long ResourceVersion) List(ApiResourceType type, string? ns)
    {
        lock (_lock)
        {
            var items = _objects
                .Where(o => o.Key.Resource == type.QualifiedName && (ns is null || o.Key.Namespace == ns))
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => o.Value.DeepClone().AsObject())
                .ToList();
            return (items, _resourceVersion);
        }
    }

    /// <summary>
    /// The objects as they were at <paramref name="resourceVersion"/> (the newest first, unwound through the history), or
    /// null when the history no longer reaches back that far (compacted): how etcd serves a continued list from the
    /// first page's revision.
    /// </summary>
    public List<JsonObject>? ListAt(ApiResourceType type, string? ns, long resourceVersion)
    {
        lock (_lock)
        {
            if (resourceVersion < _compactedThrough)
            {
                return null;
            }

            var state = _objects.Where(o => o.Key.Resource == type.QualifiedName)
                .ToDictionary(o => (o.Key.Namespace, o.Key.Name), o => o.Value);
            for (var node = _history.Last; node is not null && node.Value.ResourceVersion > resourceVersion; node = node.Previous)
            {
                var change = node.Value;
                if (change.Type.QualifiedName != type.QualifiedName)
                {
                    continue;
                }

                var metadata = change.Resource["metadata"]!;
                var key = (metadata["namespace"]?.GetValue<string>() ?? "", metadata["name"]!.GetValue<string>());
                if (change.Kind == "ADDED" || change.Previous is null)
                {
                    state.Remove(key);
                }
                else
                {
                    state[key] = change.Previous;
                }
            }

            return [.. state.Where(o => ns is null || o.Key.Namespace == ns)
                .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal)
                .Select(o => o.Value.DeepClone().AsObject())];
        }
    }

    /// <summary>
    /// Applies a change atomically: <paramref name="change"/> gets the current object (or null) and returns the new one
    /// (or null to delete), or throws a <see cref="KubeApiException"/>. Stamps resourceVersion and records the event.
    /// </summary>
    public JsonObject? Mutate(ApiResourceType type, string ns, string name, Func<JsonObject?, MutationResult> change)
    {
        lock (_lock)
        {
            var key = (type.QualifiedName, ns, name);
            var current = _objects.GetValueOrDefault(key);
            var result = change(current?.DeepClone().AsObject());
            if (result.Unchanged)
            {
                return current?.DeepClone().AsObject();
            }

            var revision = ++_resourceVersion;
            if (result.Deleted)
            {
                _objects.Remove(key);
                var deleted = current!.DeepClone().AsObject();
                deleted["metadata"]!["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
                Record(new StoredEvent(revision, type, "DELETED", deleted, current));
                return deleted;
            }

            // Re-parsed so every stored value is JSON-backed whatever CLR value built it.
            var stored = JsonNode.Parse(result.Resource!.ToJsonString())!.AsObject();
            stored["metadata"]!["resourceVersion"] = revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
            _objects[key] = stored;
            Record(new StoredEvent(revision, type, current is null ? "ADDED" : "MODIFIED", stored.DeepClone().AsObject(), current));
            return stored.DeepClone().AsObject();
        }
    }

    /// <summary>
    /// Opens a watch. From a resourceVersion: replays the retained history after it (410 when compacted away).
    /// Without one (or "0"): starts with an ADDED event per existing object, as the server does.
    /// </summary>
    public WatchSubscription Watch(ApiResourceType type, string? ns, Func<JsonObject, bool> matches, long? fromResourceVersion)
    {
        lock (_lock)
        {
            var subscription = new WatchSubscription(type, ns, matches, this);
            if (fromResourceVersion is { } from && from > 0)
            {
                if (from < _compactedThrough)
                {
                    subscription.Expire(from, _compactedThrough);
                    return subscription;
                }

                foreach (var stored in _history.Where(e => e.ResourceVersion > from))
                {
                    subscription.Offer(stored);
                }
            }
            else
            {
                foreach (var (key, obj) in _objects.Where(o => o.Key.Resource == type.QualifiedName)
                             .OrderBy(o => o.Key.Namespace, StringComparer.Ordinal).ThenBy(o => o.Key.Name, StringComparer.Ordinal))
                {
                    var rv = long.Parse(obj["metadata"]!["resourceVersion"]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture);
                    subscription.Offer(new StoredEvent(rv, type, "ADDED", obj.DeepClone().AsObject(), null));
                }
            }

            _watches.Add(subscription);
            return subscription;
        }
    }

    /// <summary>The revision a bookmark may announce: only when the watch has nothing pending, so it never skips an event.</summary>
    public long? BookmarkRevision(WatchSubscription subscription)
    {
        lock (_lock)
        {
            return subscription.Messages.Count == 0 ? _resourceVersion : null;
        }
    }

    /// <summary>Forgets all history, as etcd compaction does: older resourceVersions can no longer be watched from.</summary>
    public void Compact()
    {
        lock (_lock)
        {
            _history.Clear();
            _compactedThrough = _resourceVersion;
        }
    }

    /// <summary>Ends every open watch abruptly, as a restarting API server or a broken connection does.</summary>
    public int DropWatches()
    {
        lock (_lock)
        {
            var dropped = _watches.Count;
            foreach (var watch in _watches)
            {
                watch.Drop();
            }

            _watches.Clear();
            return dropped;
        }
    }

    internal void Unsubscribe(WatchSubscription subscription)
    {
        lock (_lock)
        {
            _watches.Remove(subscription);
        }
    }

    private void Record(StoredEvent stored)
    {
        _history.AddLast(stored);
        while (_history.Count > _historyLimit)
        {
            _compactedThrough = _history.First!.Value.ResourceVersion;
            _history.RemoveFirst();
        }

        foreach (var watch in _watches)
        {
            watch.Offer(stored);
        }
    }
}

/// <summary>What a mutation decided: a new object, a deletion, or nothing to store (no new resourceVersion).</summary>
public readonly record struct MutationResult(JsonObject? Resource, bool Deleted, bool Unchanged)
{
    public static MutationResult Store(JsonObject obj) => new(obj, false, false);

    public static MutationResult Delete() => new(null, true, false);

    public static MutationResult NoChange() => new(null, false, true);
}

/// <summary>One open watch: its filter and a channel of events for the HTTP response to stream.</summary>
public sealed class WatchSubscription : IDisposable
{
    private readonly ApiResourceType _type;
    private readonly string? _namespace;
    private readonly Func<JsonObject, bool> _matches;
    private readonly ResourceStore _store;
    private readonly Channel<WatchMessage> _channel = Channel.CreateUnbounded<WatchMessage>();

    internal WatchSubscription(ApiResourceType type, string? ns, Func<JsonObject, bool> matches, ResourceStore store)
    {
        _type = type;
        _namespace = ns;
        _matches = matches;
        _store = store;
    }

    public ChannelReader<WatchMessage> Messages => _channel.Reader;

    internal void Offer(StoredEvent stored)
    {
        if (stored.Type.QualifiedName != _type.QualifiedName
            || (_namespace is not null && stored.Resource["metadata"]?["namespace"]?.GetValue<string>() != _namespace))
        {
            return;
        }

        // A selector watch sees an object enter (ADDED) or leave (DELETED) the selection, as the server's watch cache does.
        var now = _matches(stored.Resource);
        var before = stored.Previous is not null && stored.Kind != "ADDED" && _matches(stored.Previous);
        var kind = stored.Kind switch
        {
            "DELETED" => before ? "DELETED" : null,
            "MODIFIED" when now && before => "MODIFIED",
            "MODIFIED" when now => "ADDED",
            "MODIFIED" when before => "DELETED",
            "ADDED" when now => "ADDED",
            _ => null,
        };
        if (kind is not null)
        {
            _channel.Writer.TryWrite(new WatchMessage(kind, stored.Resource, 0, 0));
        }
    }

    internal void Expire(long requested, long compactedThrough)
    {
        _channel.Writer.TryWrite(new WatchMessage("EXPIRED", null, requested, compactedThrough));
        _channel.Writer.TryComplete();
    }

    internal void Drop() => _channel.Writer.TryComplete(new WatchDroppedException());

    public void Dispose()
    {
        _store.Unsubscribe(this);
        _channel.Writer.TryComplete();
    }
}

/// <summary>An event to send, or EXPIRED: the requested resourceVersion was compacted away.</summary>
public sealed record WatchMessage(string Type, JsonObject? Resource, long RequestedResourceVersion, long CompactedThrough);

/// <summary>The watch was dropped by fault injection; the response is aborted, not ended cleanly.</summary>
public sealed class WatchDroppedException : Exception
{
    public WatchDroppedException()
        : base("The emulator dropped this watch.")
    {
    }

    public WatchDroppedException(string message)
        : base(message)
    {
    }

    public WatchDroppedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
