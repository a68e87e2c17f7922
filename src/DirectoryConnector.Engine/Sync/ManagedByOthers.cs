using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sync;

/// <summary>
/// The external ids the other DirectorySyncs feeding the same organization manage (their
/// <see cref="SyncState.ManagedMembers"/> and <see cref="SyncState.ManagedGroups"/>). Prune never removes one of them:
/// a user who moved from this DirectorySync's scope into another's, and whom that one already took over, is handed
/// over instead of removed, and this DirectorySync stops managing it.
/// </summary>
public sealed record ManagedByOthers(IReadOnlySet<string> Members, IReadOnlySet<string> Groups)
{
    public static ManagedByOthers None { get; } = new(new HashSet<string>(StringComparer.Ordinal), new HashSet<string>(StringComparer.Ordinal));

    /// <summary>The union of the managed sets of <paramref name="others"/> (states without recorded sets add nothing).</summary>
    public static ManagedByOthers From(IEnumerable<SyncState?> others)
    {
        ArgumentNullException.ThrowIfNull(others);
        var members = new HashSet<string>(StringComparer.Ordinal);
        var groups = new HashSet<string>(StringComparer.Ordinal);
        foreach (var state in others)
        {
            members.UnionWith(state?.ManagedMembers ?? []);
            groups.UnionWith(state?.ManagedGroups ?? []);
        }

        return new ManagedByOthers(members, groups);
    }

    /// <summary>True when both specs post to one organization: the same Bitwarden API URL and the same API key Secret
    /// (an organization has one API key; DirectorySyncs of one namespace feeding it share that Secret). Specs whose
    /// URLs do not parse are never taken for the same.</summary>
    public static bool SameOrganization(BitwardenSpec one, BitwardenSpec other)
    {
        ArgumentNullException.ThrowIfNull(one);
        ArgumentNullException.ThrowIfNull(other);
        try
        {
            return string.Equals(one.ApiKeySecretRef.Name, other.ApiKeySecretRef.Name, StringComparison.Ordinal)
                && string.Equals(one.ApiKeySecretRef.ClientIdKey, other.ApiKeySecretRef.ClientIdKey, StringComparison.Ordinal)
                && string.Equals(one.OrganizationId ?? other.OrganizationId, other.OrganizationId ?? one.OrganizationId, StringComparison.OrdinalIgnoreCase)
                && BitwardenEndpoints.FromSpec(one).ApiUrl == BitwardenEndpoints.FromSpec(other).ApiUrl;
        }
        catch (SyncFailedException)
        {
            return false;
        }
    }
}
