using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using System.Text;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>What a group's member values are resolved against: the users that were read (by uid for memberUid, by
/// primary group SID for Active Directory's implicit primary group membership) and the entries that are no accounts.</summary>
internal sealed class LdapMemberIndex
{
    /// <summary>uid (caseIgnoreMatch, RFC 4518) → the user's reference id, for memberUid values (posixGroup, FreeIPA).</summary>
    public Dictionary<string, string> UserReferencesByUid { get; } = new(DirectoryString.CaseIgnoreComparer);

    /// <summary>SID of a primary group → reference ids of the users whose primaryGroupID names it.</summary>
    public Dictionary<string, List<string>> UsersByPrimaryGroupSid { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A user's DN exactly as the server wrote it → its reference id: member values usually spell it the same
    /// way, so they resolve without parsing the DN and share the user's string instead of holding a copy each.</summary>
    public Dictionary<string, string> UserReferencesByDn { get; } = new(StringComparer.Ordinal);

    /// <summary>True when some uid could equal, under caseIgnoreMatch, a value that contains '=' (a DN): one with '=' or
    /// a non-ASCII character (NFKC maps e.g. U+FF1D to '='). Almost never: then a DN-shaped member value needs no uid lookup.</summary>
    private bool _uidMayLookLikeDn;

    private HashSet<string> _seen = new(StringComparer.Ordinal);

    /// <summary>The users' reference ids, to share their instances with member values spelt differently.</summary>
    public HashSet<string> UserReferences { get; } = new(StringComparer.Ordinal);

    /// <summary>Canonical DN → what the entry is (a contact, a computer): listed in a group, it is reported, not unknown.</summary>
    public Dictionary<string, string> NotAccounts { get; } = new(StringComparer.Ordinal);

    public static LdapMemberIndex Build(IEnumerable<(LdapEntry Entry, DirectoryUser User)> users, IEnumerable<LdapEntry> notAccounts)
    {
        var index = new LdapMemberIndex();
        foreach (var (entry, user) in users)
        {
            index.Add(entry, user);
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

    /// <summary>Indexes a user as it is read, so its entry need not be kept once mapped.</summary>
    public void Add(LdapEntry entry, DirectoryUser user)
    {
        UserReferencesByDn.TryAdd(entry.DistinguishedName, user.ReferenceId);
        UserReferences.Add(user.ReferenceId);
        foreach (var uid in entry.GetStrings(LdapEntryMapping.UidAttribute))
        {
            var trimmed = uid.Trim();
            UserReferencesByUid.TryAdd(trimmed, user.ReferenceId);
            _uidMayLookLikeDn |= trimmed.Contains('=', StringComparison.Ordinal) || !Ascii.IsValid(trimmed);
        }

        if (SecurityIdentifier.PrimaryGroup(entry) is { } primaryGroup)
        {
            if (!UsersByPrimaryGroupSid.TryGetValue(primaryGroup, out var members))
            {
                UsersByPrimaryGroupSid[primaryGroup] = members = [];
            }

            members.Add(user.ReferenceId);
        }
    }

    /// <summary>The reference of the user whose DN a member value (UTF-8) spells exactly as the server wrote it, found
    /// without making a string of the value; false when that does not settle it, and <see cref="Resolve"/> of the
    /// decoded value decides. Gives what <see cref="Resolve"/> gives: a value that could be a uid is left to it, as
    /// uids win over DNs.</summary>
    public bool TryResolveUserDn(byte[] value, [NotNullWhen(true)] out string? reference)
    {
        reference = null;
        Span<char> buffer = stackalloc char[256];
        if (_uidMayLookLikeDn || Encoding.UTF8.GetMaxCharCount(value.Length) > buffer.Length)
        {
            return false;
        }

        // Decoded as Encoding.UTF8.GetString decodes (invalid bytes become U+FFFD), trimmed as Resolve trims.
        var trimmed = buffer[..Encoding.UTF8.GetChars(value, buffer)].Trim();
        return trimmed.Contains('=') && UserReferencesByDn.GetAlternateLookup<ReadOnlySpan<char>>().TryGetValue(trimmed, out reference);
    }

    /// <summary>Each reference once, in the order of first appearance (what Distinct gives), with one set reused for
    /// every group of a read instead of one grown per group; compacts <paramref name="references"/> in place. Not
    /// thread-safe: a read maps its groups on one thread.</summary>
    public string[] DistinctInOrder(List<string> references)
    {
        // A set left large by a big group would make every later Clear wipe its buckets: start a small one instead.
        if (_seen.Count > 4096)
        {
            _seen = new HashSet<string>(StringComparer.Ordinal);
        }

        _seen.Clear();
        var kept = 0;
        var span = CollectionsMarshal.AsSpan(references);
        foreach (var reference in span)
        {
            if (_seen.Add(reference))
            {
                span[kept++] = reference;
            }
        }

        return span[..kept].ToArray();
    }

    /// <summary>The reference a member value names (<see cref="LdapEntryMapper.ResolveMember"/>), a user's own instance
    /// when it names a user that was read.</summary>
    public string Resolve(string value)
    {
        var trimmed = value.Trim();
        if (!UserReferencesByUid.ContainsKey(trimmed) && UserReferencesByDn.TryGetValue(trimmed, out var byDn))
        {
            return byDn;
        }

        var reference = LdapEntryMapper.ResolveMember(trimmed, UserReferencesByUid);
        return UserReferences.TryGetValue(reference, out var shared) ? shared : reference;
    }
}
