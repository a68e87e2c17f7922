namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Resolves a group's member reference to the users it names. Every user the source read is known here, but only
/// users sent as active members (or left out only because they clash, or because Bitwarden cannot take their email) have a listed index (their position among <see cref="MemberPlan.ListedExternalIds"/>):
/// groups never reference a member that is not sent, yet a reference to a skipped user is not an unknown reference.
/// </summary>
internal sealed class UserReferenceIndex
{
    public const int NotListed = -1;

    private readonly Dictionary<string, int> byReference = new(StringComparer.Ordinal);

    // Only when one reference id names several different users (a source should not do this, but no member is lost if it does).
    private Dictionary<string, List<int>>? additional;

    public void Add(string referenceId, int listedIndex)
    {
        if (!byReference.TryGetValue(referenceId, out var existing) || existing == NotListed)
        {
            byReference[referenceId] = listedIndex;
            return;
        }

        if (listedIndex == NotListed || listedIndex == existing)
        {
            return;
        }

        additional ??= new(StringComparer.Ordinal);
        if (!additional.TryGetValue(referenceId, out var more))
        {
            additional[referenceId] = more = [];
        }

        if (!more.Contains(listedIndex))
        {
            more.Add(listedIndex);
        }
    }

    /// <summary>Appends the listed indices of the users <paramref name="reference"/> names; false when it names no user.</summary>
    public bool Resolve(string reference, List<int> listedIndices)
    {
        if (!byReference.TryGetValue(reference, out var listedIndex))
        {
            return false;
        }

        if (listedIndex != NotListed)
        {
            listedIndices.Add(listedIndex);
        }

        if (additional is not null && additional.TryGetValue(reference, out var more))
        {
            listedIndices.AddRange(more);
        }

        return true;
    }
}
