using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Cli.Output;

/// <summary>The state file's managed sets (<c>IReadOnlyList&lt;string&gt;</c>): read as a <see cref="DeferredIdList"/>
/// over the array's JSON, written back byte for byte while unread, else as the array of strings it always was.</summary>
internal sealed class DeferredIdListConverter : JsonConverter<IReadOnlyList<string>>
{
    public override IReadOnlyList<string>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        => reader.TokenType switch
        {
            JsonTokenType.Null => null,
            JsonTokenType.StartArray => new DeferredIdList(OfStrings(JsonElement.ParseValue(ref reader))),
            _ => throw new JsonException($"expected an array of external ids, found {reader.TokenType}"),
        };

    /// <summary>A damaged file fails when it is read, as it did before the ids were deferred, not in the middle of a sync.</summary>
    private static JsonElement OfStrings(JsonElement array)
    {
        foreach (var id in array.EnumerateArray())
        {
            if (id.ValueKind != JsonValueKind.String)
            {
                throw new JsonException($"expected an array of external ids, found a {id.ValueKind} in it");
            }
        }

        return array;
    }

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<string> value, JsonSerializerOptions options)
    {
        if (value is DeferredIdList { Unread: { } array })
        {
            // Valid JSON: it was parsed when the state was read.
            writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(array), skipInputValidation: true);
            return;
        }

        writer.WriteStartArray();
        foreach (var id in value)
        {
            writer.WriteStringValue(id);
        }

        writer.WriteEndArray();
    }
}
