using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DirectoryConnector.Cli.Migration;

/// <summary>One object of the original connector's data.json with its path there, so that every problem names the
/// key as written in the file. Empty strings count as unset, as the original's forms save them.</summary>
internal sealed class DataJsonObject(JsonObject json, string path)
{
    private readonly HashSet<string> read = new(StringComparer.Ordinal);

    public string Path { get; } = path;

    /// <summary>Keys holding a value that nothing has read (or <see cref="Skip"/>ped): settings the conversion does not know.</summary>
    public IEnumerable<string> UnreadKeys => json.Where(p => p.Value is not null && !read.Contains(p.Key)).Select(p => p.Key);

    public IEnumerable<string> Keys => json.Select(p => p.Key);

    public string KeyPath(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    /// <summary>Marks keys as handled without reading them (they have no meaning outside the original connector).</summary>
    public void Skip(params string[] keys) => read.UnionWith(keys);

    private JsonNode? Read(string key)
    {
        read.Add(key);
        return json[key];
    }

    /// <summary>True when the key holds something other than null.</summary>
    public bool Has(string key) => Read(key) is not null;

    /// <summary>The trimmed string, or null when absent, null or blank. Numbers are taken as written.</summary>
    public string? Text(string key) => Read(key) switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>().Trim() is { Length: > 0 } text ? text : null,
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => throw new BwdcDataException(KeyPath(key), "expected a string"),
    };

    public string RequireText(string key, string why) =>
        Text(key) ?? throw new BwdcDataException(KeyPath(key), $"is missing or empty: {why}");

    /// <summary>True when the key holds something other than null, false, or a blank string.</summary>
    public bool IsSet(string key) => Read(key) switch
    {
        null => false,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => !string.IsNullOrWhiteSpace(value.GetValue<string>()),
        JsonValue value when value.GetValueKind() == JsonValueKind.False => false,
        _ => true,
    };

    /// <summary>true/false, or null when absent or null.</summary>
    public bool? Flag(string key) => Read(key) switch
    {
        null => null,
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>(),
        _ => throw new BwdcDataException(KeyPath(key), "expected true or false"),
    };

    /// <summary>An integer (a number, or a string holding one as the GUI's text fields may save it), or null when unset.</summary>
    public int? Integer(string key)
    {
        switch (Read(key))
        {
            case null:
                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.Number && value.TryGetValue<int>(out var number):
                return number;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                var text = value.GetValue<string>().Trim();
                if (text.Length == 0)
                {
                    return null;
                }

                if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }

                break;
        }

        throw new BwdcDataException(KeyPath(key), "expected a whole number");
    }

    /// <summary>The nested object, or null when absent or null.</summary>
    public DataJsonObject? Object(string key) => Read(key) switch
    {
        null => null,
        JsonObject nested => new DataJsonObject(nested, KeyPath(key)),
        _ => throw new BwdcDataException(KeyPath(key), "expected an object"),
    };
}
