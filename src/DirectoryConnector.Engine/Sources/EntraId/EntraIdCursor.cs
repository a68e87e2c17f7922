using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>The source's cursor: the @odata.deltaLink of the last users round and of the last groups round (null
/// when groups were not tracked). Graph keeps the change-tracking state behind a link for 7 days.</summary>
internal sealed record EntraIdCursor(
    [property: JsonPropertyName("users")] string Users,
    [property: JsonPropertyName("groups")] string? Groups)
{
    private const string Prefix = "entraId.v1:";

    public override string ToString() => Prefix + JsonSerializer.Serialize(this, EntraIdCursorJsonContext.Default.EntraIdCursor);

    /// <summary>The cursor in <paramref name="text"/>, or null when it is not one this version wrote.</summary>
    public static EntraIdCursor? Parse(string? text)
    {
        if (text is null || !text.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(text.AsSpan(Prefix.Length), EntraIdCursorJsonContext.Default.EntraIdCursor) is { Users.Length: > 0 } cursor ? cursor : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
