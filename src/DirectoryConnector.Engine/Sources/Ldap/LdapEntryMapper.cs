using System.Globalization;
using System.Text;

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
    public const string ObjectSid = "objectSid";
    public const string PrimaryGroupId = "primaryGroupID";
    public const string UidAttribute = "uid";

    /// <summary>Attributes a user search must request.</summary>
    public IEnumerable<string> UserAttributes()
    {
        IEnumerable<string?> attributes =
        [
            EmailAttribute, EmailPrefixAttribute, ExternalIdAttribute, UidAttribute, ObjectSid, PrimaryGroupId, "objectClass",
            .. AccountLock.Attributes,
        ];
        return attributes.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Attributes a group search must request (member attributes are added by the caller, ranged or not).</summary>
    public IEnumerable<string> GroupAttributes()
    {
        IEnumerable<string?> attributes = [GroupNameAttribute, "cn", ExternalIdAttribute, ObjectSid];
        return attributes.OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase);
    }
}

/// <summary>Maps LDAP entries (from a server or an LDIF file) to directory users and groups by the same rules, so an
/// export of Active Directory is read exactly as a live connection to it.</summary>
internal static class LdapEntryMapper
{
    /// <summary>Active Directory's sAMAccountType of normal user accounts (MS-ADTS 2.2.16, SAM_USER_OBJECT).</summary>
    public const string AdNormalUserAccount = "805306368";

    /// <param name="markedDisabled">The server matched the entry with spec.source.ldap.disabledFilter.</param>
    public static DirectoryUser? MapUser(LdapEntry entry, LdapEntryMapping mapping, bool deleted, LdapReadReport report, bool markedDisabled = false)
    {
        if (NotAnAccount(entry) is { } what)
        {
            report.Skipped.Add(new SkippedEntry(entry.DistinguishedName, SkippedEntryKind.User,
                $"is {what}, not a user account: it is never a member (narrow spec.filters.users or the user object class to leave it out)"));
            return null;
        }

        var referenceId = CanonicalDn(entry.DistinguishedName);
        var externalId = ReadExternalId(entry, mapping);
        if (externalId is null)
        {
            report.Skipped.Add(new SkippedEntry(entry.DistinguishedName, SkippedEntryKind.User,
                $"The entry has no {mapping.ExternalIdAttribute} attribute, which externalIdAttribute names as its identity."));
            return null;
        }

        var email = FirstValue(entry, mapping.EmailAttribute, report, "the email");
        var origin = mapping.EmailAttribute;
        if (string.IsNullOrWhiteSpace(email) && mapping.EmailPrefixAttribute is not null)
        {
            var prefix = FirstValue(entry, mapping.EmailPrefixAttribute, report, "the email prefix");
            origin = $"{mapping.EmailPrefixAttribute} + emailSuffix";
            email = string.IsNullOrWhiteSpace(prefix) ? null : prefix.Trim() + mapping.EmailSuffix;
        }

        return new DirectoryUser(referenceId, externalId, email, markedDisabled || AccountLock.IsLocked(entry), deleted, entry.DistinguishedName)
        {
            EmailOrigin = origin,
        };
    }

    public static DirectoryGroup? MapGroup(LdapEntry entry, LdapEntryMapping mapping, LdapMemberIndex members, bool selected, LdapReadReport report)
    {
        var externalId = ReadExternalId(entry, mapping);
        if (externalId is null)
        {
            report.Skipped.Add(new SkippedEntry(entry.DistinguishedName, SkippedEntryKind.Group,
                $"The entry has no {mapping.ExternalIdAttribute} attribute, which externalIdAttribute names as its identity."));
            return null;
        }

        var name = FirstValue(entry, mapping.GroupNameAttribute, report, "the group name") ?? FirstValue(entry, "cn", report, "the group name");
        var references = new List<string>();
        string? incomplete = null;
        void AddMember(string reference, string value)
        {
            if (members.NotAccounts.TryGetValue(reference, out var what))
            {
                report.Skipped.Add(new SkippedEntry(value.Trim(), SkippedEntryKind.Member,
                    $"is listed as a member of {entry.DistinguishedName} but is {what}, not a user account: it is not added to any group"));
                return;
            }

            references.Add(reference);
        }

        foreach (var attribute in mapping.MemberAttributes)
        {
            if (entry.HasRangedAttributes)
            {
                foreach (var value in ReadMemberValues(entry, attribute, ref incomplete))
                {
                    AddMember(members.Resolve(value), value);
                }

                continue;
            }

            // Nearly every value names a user by the DN the server wrote: it resolves without a string of its own.
            var values = entry.GetBytes(attribute);
            references.EnsureCapacity(references.Count + values.Count);
            foreach (var bytes in values)
            {
                if (members.TryResolveUserDn(bytes, out var reference) && members.NotAccounts.Count == 0)
                {
                    references.Add(reference);
                }
                else
                {
                    var value = Encoding.UTF8.GetString(bytes);
                    AddMember(reference ?? members.Resolve(value), value);
                }
            }
        }

        // Active Directory never lists a user in the member attribute of the user's primary group (MS-ADTS 3.1.1.4.5.17).
        if (SecurityIdentifier.Read(entry) is { } sid && members.UsersByPrimaryGroupSid.TryGetValue(sid, out var primaryMembers))
        {
            references.AddRange(primaryMembers);
        }

        return new DirectoryGroup(CanonicalDn(entry.DistinguishedName), externalId, name, members.DistinctInOrder(references), selected, entry.DistinguishedName)
        {
            IncompleteReason = incomplete,
        };
    }

    /// <summary>
    /// The values of a member attribute, including Active Directory range retrieval chunks
    /// (<c>member;range=0-1499</c>, MS-ADTS 3.1.1.3.1.3.3) as exports hold them. The chunks are complete only when they
    /// run from 0 without a gap to a final one ending in <c>-*</c>; otherwise <paramref name="incomplete"/> says why.
    /// </summary>
    public static IEnumerable<string> ReadMemberValues(LdapEntry entry, string attribute, ref string? incomplete)
    {
        var values = new List<string>(entry.GetStrings(attribute));
        if (!entry.HasRangedAttributes)
        {
            return values;
        }

        var ranges = entry.AttributeNames
            .Select(name => (Name: name, Range: ParseRange(name, attribute)))
            .Where(pair => pair.Range is not null)
            .Select(pair => (pair.Name, Low: pair.Range!.Value.Low, High: pair.Range.Value.High))
            .OrderBy(range => range.Low)
            .ToList();
        if (ranges.Count == 0)
        {
            return values;
        }

        var next = 0;
        var complete = true;
        foreach (var range in ranges)
        {
            complete &= range.Low == next;
            values.AddRange(entry.GetStrings(range.Name));
            next = range.High is { } high ? high + 1 : -1;
        }

        if (!complete || next >= 0)
        {
            incomplete ??= string.Create(CultureInfo.InvariantCulture,
                $"the entry holds only {values.Count} {attribute} values ({string.Join(", ", ranges.Select(range => range.Name))}), not every range up to a final one ending in -*: export it with range retrieval ({attribute};range=0-*, or every range in turn, as ldifde and the ldap source do) so the file lists all its members");
        }

        return values;
    }

    /// <summary>Parses `attribute;range=low-high`; high is null for `*`. Null when the name is not a range of it.</summary>
    public static (int Low, int? High)? ParseRange(string name, string attribute)
    {
        var prefix = attribute + ";range=";
        if (!name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var bounds = name[prefix.Length..].Split('-');
        if (bounds.Length != 2 || !int.TryParse(bounds[0], NumberStyles.None, CultureInfo.InvariantCulture, out var low))
        {
            return null;
        }

        if (bounds[1] == "*")
        {
            return (low, null);
        }

        return int.TryParse(bounds[1], NumberStyles.None, CultureInfo.InvariantCulture, out var high) && high >= low ? (low, high) : null;
    }

    /// <summary>Why the entry is no user account (an Active Directory contact or computer, a trust or service
    /// account), or null when it is one. Contacts carry objectClass person too, and computers user.</summary>
    public static string? NotAnAccount(LdapEntry entry)
    {
        if (entry.HasObjectClass("computer"))
        {
            return "a computer account";
        }

        if (entry.HasObjectClass("contact"))
        {
            return "a contact";
        }

        return entry.GetString("sAMAccountType")?.Trim() is { } type && type != AdNormalUserAccount
            ? $"an Active Directory account of sAMAccountType {type} (a trust, service or machine account)"
            : null;
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

    // The first value is used, as the original connector does; a second one that differs is reported, never dropped silently.
    private static string? FirstValue(LdapEntry entry, string attribute, LdapReadReport report, string what)
    {
        if (entry.Count(attribute) <= 1)
        {
            return entry.GetString(attribute) is { } only && !string.IsNullOrWhiteSpace(only) ? only : null;
        }

        var all = entry.GetStrings(attribute);

        var values = all.Where(value => !string.IsNullOrWhiteSpace(value)).ToList();
        if (values.Count > 1 && values.Skip(1).Any(value => !DirectoryString.CaseIgnoreEquals(value, values[0])))
        {
            report.Warnings.Add(string.Create(CultureInfo.InvariantCulture,
                $"{entry.DistinguishedName} has {values.Count} {attribute} values ({string.Join(", ", values)}): {what} is the first, {values[0].Trim()}; the others are ignored"));
        }

        return values.Count > 0 ? values[0] : null;
    }

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

    // uniqueMember is nameAndOptionalUID: "cn=x,dc=y#'0101'B".
    private static string StripUniqueIdentifier(string value)
    {
        var hash = value.LastIndexOf("#'", StringComparison.Ordinal);
        return hash > 0 && value.EndsWith("'B", StringComparison.Ordinal) ? value[..hash] : value;
    }
}
