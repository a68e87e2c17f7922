using System.Text;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// A directory entry as raw attribute values, whether it came from an LDAP search or an LDIF file,
/// so both are mapped by the same code. Values are kept as bytes: binary attributes (objectGUID) must not
/// go through a text decoding, and text ones are decoded on demand.
/// </summary>
internal sealed class LdapEntry(string distinguishedName)
{
    private readonly Dictionary<string, List<byte[]>> _attributes = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The DN as the server (or file) wrote it.</summary>
    public string DistinguishedName { get; } = distinguishedName;

    public IEnumerable<string> AttributeNames => _attributes.Keys;

    /// <summary>True when an attribute name carries options (member;range=0-1499): most entries have none.</summary>
    public bool HasRangedAttributes { get; private set; }

    public void Add(string attribute, byte[] value)
    {
        if (!_attributes.TryGetValue(attribute, out var values))
        {
            values = [];
            _attributes[attribute] = values;
            HasRangedAttributes |= attribute.Contains(';', StringComparison.Ordinal);
        }

        values.Add(value);
    }

    public void Add(string attribute, string value) => Add(attribute, Encoding.UTF8.GetBytes(value));

    /// <summary>Replaces an attribute's values and drops its ranged variants (member;range=...).</summary>
    public void Replace(string attribute, List<byte[]> values)
    {
        foreach (var name in _attributes.Keys.Where(name => name.StartsWith(attribute + ";", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            _attributes.Remove(name);
        }

        _attributes[attribute] = values;
    }

    public bool Has(string attribute) => _attributes.ContainsKey(attribute);

    public IReadOnlyList<byte[]> GetBytes(string attribute)
        => _attributes.TryGetValue(attribute, out var values) ? values : [];

    /// <summary>Every value of the attribute decoded as UTF-8, in order; empty when absent.</summary>
    public IReadOnlyList<string> GetStrings(string attribute)
    {
        var values = GetBytes(attribute);
        if (values.Count == 0)
        {
            return [];
        }

        var strings = new string[values.Count];
        for (var i = 0; i < strings.Length; i++)
        {
            strings[i] = Encoding.UTF8.GetString(values[i]);
        }

        return strings;
    }

    /// <summary>The first value decoded as UTF-8; null when absent.</summary>
    public string? GetString(string attribute)
        => _attributes.TryGetValue(attribute, out var values) && values.Count > 0 ? Encoding.UTF8.GetString(values[0]) : null;

    /// <summary>True when the entry's objectClass values include <paramref name="objectClass"/> (ASCII, case-insensitive,
    /// surrounding spaces ignored), compared on the bytes without decoding them.</summary>
    public bool HasObjectClass(string objectClass)
    {
        foreach (var value in GetBytes("objectClass"))
        {
            if (Ascii.EqualsIgnoreCase(value.AsSpan(Ascii.Trim(value)), objectClass))
            {
                return true;
            }
        }

        return false;
    }
}
