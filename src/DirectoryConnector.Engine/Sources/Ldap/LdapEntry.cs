using System.Text;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// A directory entry as raw attribute values, whether it came from an LDAP search or an LDIF file,
/// so both are mapped by the same code. Values are kept as bytes: binary attributes (objectGUID) must not
/// go through a text decoding, and text ones are decoded on demand.
/// </summary>
internal sealed class LdapEntry(string distinguishedName, int attributeCount = 0)
{
    // A server's values are kept in the array S.DS.P returns them in; a file's are added one by one to a list.
    private readonly Dictionary<string, IReadOnlyList<byte[]>> _attributes = new(attributeCount, StringComparer.OrdinalIgnoreCase);

    /// <summary>The DN as the server (or file) wrote it.</summary>
    public string DistinguishedName { get; } = distinguishedName;

    public IEnumerable<string> AttributeNames => _attributes.Keys;

    /// <summary>True when an attribute name carries options (member;range=0-1499): most entries have none.</summary>
    public bool HasRangedAttributes { get; private set; }

    public void Add(string attribute, byte[] value)
    {
        if (!_attributes.TryGetValue(attribute, out var values))
        {
            _attributes[attribute] = new List<byte[]> { value };
            HasRangedAttributes |= attribute.Contains(';', StringComparison.Ordinal);
        }
        else if (values is List<byte[]> list)
        {
            list.Add(value);
        }
        else
        {
            _attributes[attribute] = new List<byte[]>(values) { value };
        }
    }

    public void Add(string attribute, string value) => Add(attribute, Encoding.UTF8.GetBytes(value));

    /// <summary>Adds every value of an attribute, keeping <paramref name="values"/> itself when the attribute is new.</summary>
    public void AddAll(string attribute, byte[][] values)
    {
        if (!_attributes.TryGetValue(attribute, out var existing))
        {
            _attributes[attribute] = values;
            HasRangedAttributes |= attribute.Contains(';', StringComparison.Ordinal);
            return;
        }

        var list = new List<byte[]>(existing.Count + values.Length);
        list.AddRange(existing);
        list.AddRange(values);
        _attributes[attribute] = list;
    }

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

    /// <summary>How many values the attribute has; 0 when absent.</summary>
    public int Count(string attribute) => _attributes.TryGetValue(attribute, out var values) ? values.Count : 0;

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
