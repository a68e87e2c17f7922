using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Which DirectorySyncs reference a Secret or ConfigMap, so its change enqueues exactly them.</summary>
public sealed class ReferenceIndex
{
    private readonly object gate = new();
    private readonly Dictionary<string, HashSet<string>> byReference = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IReadOnlySet<string>> byOwner = new(StringComparer.Ordinal);

    /// <summary>Records the references of the DirectorySync <paramref name="ownerKey"/> ("namespace/name").</summary>
    public void Set(string ownerKey, string namespaceName, DirectorySyncSpec spec)
    {
        var references = SpecReferences.Of(spec).Select(r => $"{namespaceName}/{r}").ToHashSet(StringComparer.Ordinal);
        lock (gate)
        {
            RemoveLocked(ownerKey);
            byOwner[ownerKey] = references;
            foreach (var reference in references)
            {
                if (!byReference.TryGetValue(reference, out var owners))
                {
                    byReference[reference] = owners = new HashSet<string>(StringComparer.Ordinal);
                }

                owners.Add(ownerKey);
            }
        }
    }

    public void Remove(string ownerKey)
    {
        lock (gate)
        {
            RemoveLocked(ownerKey);
        }
    }

    /// <summary>The DirectorySync keys that reference <paramref name="kind"/> <paramref name="name"/> in the namespace.</summary>
    public IReadOnlyList<string> OwnersOf(string namespaceName, string kind, string name)
    {
        lock (gate)
        {
            return byReference.TryGetValue($"{namespaceName}/{SpecReferences.Reference(kind, name)}", out var owners) ? [.. owners] : [];
        }
    }

    private void RemoveLocked(string ownerKey)
    {
        if (!byOwner.Remove(ownerKey, out var references))
        {
            return;
        }

        foreach (var reference in references)
        {
            if (byReference.TryGetValue(reference, out var owners) && owners.Remove(ownerKey) && owners.Count == 0)
            {
                byReference.Remove(reference);
            }
        }
    }
}
