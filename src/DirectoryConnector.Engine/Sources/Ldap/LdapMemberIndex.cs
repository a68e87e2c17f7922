namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>What a group's member values are resolved against: the users that were read (by uid for memberUid, by
/// primary group SID for Active Directory's implicit primary group membership) and the entries that are no accounts.</summary>
internal sealed class LdapMemberIndex
{
    /// <summary>uid (caseIgnoreMatch, RFC 4518) → the user's reference id, for memberUid values (posixGroup, FreeIPA).</summary>
    public Dictionary<string, string> UserReferencesByUid { get; } = new(DirectoryString.CaseIgnoreComparer);

    /// <summary>SID of a primary group → reference ids of the users whose primaryGroupID names it.</summary>
    public Dictionary<string, List<string>> UsersByPrimaryGroupSid { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Canonical DN → what the entry is (a contact, a computer): listed in a group, it is reported, not unknown.</summary>
    public Dictionary<string, string> NotAccounts { get; } = new(StringComparer.Ordinal);

    public static LdapMemberIndex Build(IEnumerable<(LdapEntry Entry, DirectoryUser User)> users, IEnumerable<LdapEntry> notAccounts)
    {
        var index = new LdapMemberIndex();
        foreach (var (entry, user) in users)
        {
            foreach (var uid in entry.GetStrings(LdapEntryMapping.UidAttribute))
            {
                index.UserReferencesByUid.TryAdd(uid.Trim(), user.ReferenceId);
            }

            if (SecurityIdentifier.PrimaryGroup(entry) is { } primaryGroup)
            {
                if (!index.UsersByPrimaryGroupSid.TryGetValue(primaryGroup, out var members))
                {
                    index.UsersByPrimaryGroupSid[primaryGroup] = members = [];
                }

                members.Add(user.ReferenceId);
            }
        }

        foreach (var entry in notAccounts)
        {
            if (LdapEntryMapper.NotAnAccount(entry) is { } what)
            {
                index.NotAccounts.TryAdd(LdapEntryMapper.CanonicalDn(entry.DistinguishedName), what);
            }
        }

        return index;
    }
}
