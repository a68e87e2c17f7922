using System.Text.Json.Serialization;

namespace DirectoryConnector.Cli.Output;

/// <summary>
/// Whose state a state file is: the DirectorySync (namespace/name) and the Bitwarden organization (its id) it was
/// written for. What a state records decides what prune may remove, so a state file given to another DirectorySync,
/// or to the same one after it moved to another organization, is refused instead of used. Only the DirectorySync is
/// written under writtenFor: the organization is the state's own (SyncState.Organization).
/// </summary>
internal sealed record StateOwner(string DirectorySync, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Organization)
{
    /// <summary>Why a state written for <paramref name="written"/> cannot be used by this owner, or null when it can.</summary>
    public string? Mismatch(StateOwner written)
    {
        ArgumentNullException.ThrowIfNull(written);
        if (written.DirectorySync != DirectorySync)
        {
            return $"was written by DirectorySync {written.DirectorySync}, not {DirectorySync}: give each DirectorySync its own state file "
                + "(it records the members that DirectorySync manages, which prune may remove), or delete it to start over";
        }

        // The state records the id upper-cased (SyncState.Organization), the API key as issued.
        return written.Organization is { } recorded && Organization is not null && !recorded.Equals(Organization, StringComparison.OrdinalIgnoreCase)
            ? $"was written for the Bitwarden organization {recorded.ToLowerInvariant()}, not {Organization.ToLowerInvariant()}: use this organization's state file, or delete it to start over"
            : null;
    }
}
