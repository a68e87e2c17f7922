using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>Active Directory security identifiers (objectSid, MS-DTYP 2.4.2.2) as their S-1-… text, and the primary
/// group a user's primaryGroupID names: the user's domain SID with the RID replaced (MS-ADTS 3.1.1.4.5.17).</summary>
internal static class SecurityIdentifier
{
    /// <summary>The entry's objectSid as text, or null when it has none or it is malformed.</summary>
    public static string? Read(LdapEntry entry)
        => entry.GetBytes(LdapEntryMapping.ObjectSid).Select(Format).FirstOrDefault(sid => sid is not null);

    /// <summary>The SID of the user's primary group, or null when the entry lacks objectSid or primaryGroupID.</summary>
    public static string? PrimaryGroup(LdapEntry entry)
    {
        var sid = Read(entry);
        if (sid is null || !uint.TryParse(entry.GetString(LdapEntryMapping.PrimaryGroupId)?.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var rid))
        {
            return null;
        }

        var domain = sid[..sid.LastIndexOf('-')];
        return string.Create(CultureInfo.InvariantCulture, $"{domain}-{rid}");
    }

    /// <summary>Binary SID: revision (1 byte), sub-authority count (1), identifier authority (6, big-endian),
    /// sub-authorities (4 each, little-endian).</summary>
    public static string? Format(byte[] value)
    {
        if (value.Length < 8 || value[0] != 1 || value.Length != 8 + (4 * value[1]) || value[1] == 0)
        {
            return null;
        }

        var authority = 0UL;
        for (var i = 2; i < 8; i++)
        {
            authority = (authority << 8) | value[i];
        }

        var text = new StringBuilder(string.Create(CultureInfo.InvariantCulture, $"S-1-{authority}"));
        for (var i = 0; i < value[1]; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"-{BinaryPrimitives.ReadUInt32LittleEndian(value.AsSpan(8 + (4 * i)))}");
        }

        return text.ToString();
    }
}
