using System.Globalization;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>Which attributes carry what, after Active Directory / LDAP defaults are applied.</summary>
/// <param name="EmailAttribute">Attribute holding the email.</param>
/// <param name="GroupNameAttribute">Attribute holding the group name (cn is the fallback).</param>
/// <param name="MemberAttributes">Attributes listing group members (DNs or memberUid values).</param>
/// <param name="EmailPrefixAttribute">Builds a missing email with <paramref name="EmailSuffix"/>; null when not used.</param>
/// <param name="EmailSuffix">Appended to the prefix attribute's value.</param>
/// <param name="ExternalIdAttribute">Attribute used as the external id; null means the DN as the server returned it.</param>
/// <param name="ExternalIdFallsBackToDn">objectGUID falls back to the DN like the original connector; an explicitly
/// chosen attribute does not, so a missing value cannot silently change a member's identity.</param>
internal sealed record LdapEntryMapping(
    string EmailAttribute,
    string GroupNameAttribute,
    IReadOnlyList<string> MemberAttributes,
    string? EmailPrefixAttribute,
    string? EmailSuffix,
    string? ExternalIdAttribute,
    bool ExternalIdFallsBackToDn)
{
    public const string ObjectGuid = "objectGUID";
    public const string UidAttribute = "uid";
    public const string UserAccountControl = "userAccountControl";

    /// <summary>Attributes a user search must request.</summary>
    public IEnumerable<string> UserAttributes()
    {
        IEnumerable<string?> attributes = [EmailAttribute, EmailPrefixAttribute, ExternalIdAttribute, UidAttribute, UserAccountControl, "objectClass"];
        return attributes.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>Maps LDAP entries (from a server or an LDIF file) to directory users and groups.</summary>
internal static class LdapEntryMapper
{
    private const int AccountDisable = 0x2;

    public static DirectoryUser? MapUser(LdapEntry entry, LdapEntryMapping mapping, bool deleted, ICollection<SkippedEntry> skipped)
    {
        var referenceId = CanonicalDn(entry.DistinguishedName);
        var externalId = ReadExternalId(entry, mapping);
        if (externalId is null)
        {
            skipped.Add(new SkippedEntry(entry.DistinguishedName, SkippedEntryKind.User,
                $"The entry has no {mapping.ExternalIdAttribute} attribute, which externalIdAttribute names as its identity."));
            return null;
        }

        var email = entry.GetString(mapping.EmailAttribute);
        if (string.IsNullOrWhiteSpace(email) && mapping.EmailPrefixAttribute is not null)
        {
            var prefix = entry.GetString(mapping.EmailPrefixAttribute);
            email = string.IsNullOrWhiteSpace(prefix) ? null : prefix.Trim() + mapping.EmailSuffix;
        }

        return new DirectoryUser(referenceId, externalId, email, IsDisabled(entry), deleted, entry.DistinguishedName);
    }

    public static DirectoryGroup? MapGroup(
        LdapEntry entry,
        LdapEntryMapping mapping,
        IReadOnlyDictionary<string, string> userReferencesByUid,
        bool selected,
        ICollection<SkippedEntry> skipped)
    {
        var externalId = ReadExternalId(entry, mapping);
        if (externalId is null)
        {
            skipped.Add(new SkippedEntry(entry.DistinguishedName, SkippedEntryKind.Group,
                $"The entry has no {mapping.ExternalIdAttribute} attribute, which externalIdAttribute names as its identity."));
            return null;
        }

        var name = entry.GetString(mapping.GroupNameAttribute) ?? entry.GetString("cn");
        var members = mapping.MemberAttributes
            .SelectMany(entry.GetStrings)
            .Select(value => ResolveMember(value, userReferencesByUid))
            .Distinct(StringComparer.Ordinal)
            .ToList();
        return new DirectoryGroup(CanonicalDn(entry.DistinguishedName), externalId, name, members, selected, entry.DistinguishedName);
    }

    /// <summary>uid (case-insensitive) → the user's reference id, for memberUid values (posixGroup, FreeIPA).</summary>
    public static Dictionary<string, string> IndexUsersByUid(IEnumerable<(LdapEntry Entry, DirectoryUser User)> users)
    {
        var index = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (entry, user) in users)
        {
            foreach (var uid in entry.GetStrings(LdapEntryMapping.UidAttribute))
            {
                index.TryAdd(uid.Trim(), user.ReferenceId);
            }
        }

        return index;
    }

    /// <summary>A DN member becomes its canonical DN (a user or a nested group: the planner decides); a memberUid
    /// becomes the reference of the user with that uid; anything else passes through so it is reported as unknown.</summary>
    public static string ResolveMember(string value, IReadOnlyDictionary<string, string> userReferencesByUid)
    {
        var trimmed = value.Trim();
        if (userReferencesByUid.TryGetValue(trimmed, out var byUid))
        {
            return byUid;
        }

        var canonical = DistinguishedName.TryCanonicalize(StripUniqueIdentifier(trimmed));
        return canonical is not null && canonical.Length > 0 ? canonical : trimmed;
    }

    public static string CanonicalDn(string distinguishedName)
        => DistinguishedName.TryCanonicalize(distinguishedName) ?? distinguishedName;

    private static string? ReadExternalId(LdapEntry entry, LdapEntryMapping mapping)
    {
        if (mapping.ExternalIdAttribute is null)
        {
            return entry.DistinguishedName;
        }

        if (string.Equals(mapping.ExternalIdAttribute, LdapEntryMapping.ObjectGuid, StringComparison.OrdinalIgnoreCase))
        {
            var bytes = entry.GetBytes(LdapEntryMapping.ObjectGuid).FirstOrDefault(value => value.Length == 16);
            if (bytes is not null)
            {
                // Guid's byte order matches AD's: the text is what the original connector stored.
                return new Guid(bytes).ToString();
            }
        }
        else
        {
            var value = entry.GetString(mapping.ExternalIdAttribute);
            if (!string.IsNullOrWhiteSpace(value))
            {
                return value.Trim();
            }
        }

        return mapping.ExternalIdFallsBackToDn ? entry.DistinguishedName : null;
    }

    private static bool IsDisabled(LdapEntry entry)
        => int.TryParse(entry.GetString(LdapEntryMapping.UserAccountControl), NumberStyles.Integer, CultureInfo.InvariantCulture, out var flags)
           && (flags & AccountDisable) != 0;

    // uniqueMember is nameAndOptionalUID: "cn=x,dc=y#'0101'B".
    private static string StripUniqueIdentifier(string value)
    {
        var hash = value.LastIndexOf("#'", StringComparison.Ordinal);
        return hash > 0 && value.EndsWith("'B", StringComparison.Ordinal) ? value[..hash] : value;
    }
}
