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

    public void Add(string attribute, byte[] value)
    {
        if (!_attributes.TryGetValue(attribute, out var values))
        {
            values = [];
            _attributes[attribute] = values;
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

    public IEnumerable<string> GetStrings(string attribute) => GetBytes(attribute).Select(Encoding.UTF8.GetString);

    public string? GetString(string attribute) => GetStrings(attribute).FirstOrDefault();

    /// <summary>True when the entry's objectClass values include <paramref name="objectClass"/> (case-insensitive).</summary>
    public bool HasObjectClass(string objectClass)
        => GetStrings("objectClass").Any(value => string.Equals(value.Trim(), objectClass, StringComparison.OrdinalIgnoreCase));
}
