using System.Text.Json;

namespace DirectoryConnector.Engine.Sources.File;

/// <summary>
/// Reads the JSON export format:
/// {"users":[{"id","email","disabled","deleted"}],"groups":[{"id","name","members":["user or group id"]}]}.
/// Validated by hand so every error names the JSON path (or line and column) and what is expected, never a value
/// from the file (see <see cref="LdifReader"/>); ids are the external and reference ids.
/// </summary>
internal static class JsonDirectoryReader
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public static (List<DirectoryUser> Users, List<DirectoryGroup> Groups) Read(string text, bool includeDeleted)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // The line and column only: System.Text.Json's message quotes the offending character.
            throw new JsonDirectoryFormatException($"line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: not valid JSON");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new JsonDirectoryFormatException("$: expected an object with \"users\" and \"groups\" arrays");
            }

            var users = new List<DirectoryUser>();
            var groups = new List<DirectoryGroup>();
            var ids = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var property in root.EnumerateObject())
            {
                switch (property.Name)
                {
                    case "users":
                        foreach (var (element, path) in Items(property.Value, "$.users"))
                        {
                            var user = ReadUser(element, path, ids);
                            if (!user.Deleted || includeDeleted)
                            {
                                users.Add(user);
                            }
                        }

                        break;
                    case "groups":
                        foreach (var (element, path) in Items(property.Value, "$.groups"))
                        {
                            groups.Add(ReadGroup(element, path, ids));
                        }

                        break;
                    default:
                        throw new JsonDirectoryFormatException($"$.{property.Name}: unknown field (expected users, groups)");
                }
            }

            return (users, groups);
        }
    }

    private static DirectoryUser ReadUser(JsonElement element, string path, Dictionary<string, string> ids)
    {
        string? id = null, email = null;
        bool disabled = false, deleted = false;
        foreach (var property in Properties(element, path))
        {
            var fieldPath = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "id":
                    id = RequiredString(property.Value, fieldPath);
                    break;
                case "email":
                    email = property.Value.ValueKind == JsonValueKind.Null ? null : RequiredString(property.Value, fieldPath);
                    break;
                case "disabled":
                    disabled = Boolean(property.Value, fieldPath);
                    break;
                case "deleted":
                    deleted = Boolean(property.Value, fieldPath);
                    break;
                default:
                    throw new JsonDirectoryFormatException($"{fieldPath}: unknown field (a user has id, email, disabled, deleted)");
            }
        }

        id = RequireId(id, path, ids);
        return new DirectoryUser(id, id, email, disabled, deleted, id) { EmailOrigin = $"{path}.email" };
    }

    private static DirectoryGroup ReadGroup(JsonElement element, string path, Dictionary<string, string> ids)
    {
        string? id = null, name = null;
        var members = new List<string>();
        foreach (var property in Properties(element, path))
        {
            var fieldPath = $"{path}.{property.Name}";
            switch (property.Name)
            {
                case "id":
                    id = RequiredString(property.Value, fieldPath);
                    break;
                case "name":
                    name = property.Value.ValueKind == JsonValueKind.Null ? null : RequiredString(property.Value, fieldPath);
                    break;
                case "members":
                    members.AddRange(Items(property.Value, fieldPath).Select(item => RequiredString(item.Element, item.Path)));
                    break;
                default:
                    throw new JsonDirectoryFormatException($"{fieldPath}: unknown field (a group has id, name, members)");
            }
        }

        id = RequireId(id, path, ids);
        return new DirectoryGroup(id, id, name, [.. members.Distinct(StringComparer.Ordinal)], Selected: true, id);
    }

    private static string RequireId(string? id, string path, Dictionary<string, string> ids)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new JsonDirectoryFormatException($"{path}.id: required, a non-empty string");
        }

        // Users and groups share one id space: group members name either.
        if (!ids.TryAdd(id, path))
        {
            throw new JsonDirectoryFormatException($"{path}.id: is already the id of {ids[id]}; ids must be unique across users and groups");
        }

        return id;
    }

    private static IEnumerable<(JsonElement Element, string Path)> Items(JsonElement array, string path)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new JsonDirectoryFormatException($"{path}: expected an array, found {Kind(array)}");
        }

        return array.EnumerateArray().Select((element, index) => (element, $"{path}[{index}]"));
    }

    private static JsonElement.ObjectEnumerator Properties(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject()
            : throw new JsonDirectoryFormatException($"{path}: expected an object, found {Kind(element)}");

    private static string RequiredString(JsonElement element, string path)
        => element.ValueKind == JsonValueKind.String
            ? element.GetString()!
            : throw new JsonDirectoryFormatException($"{path}: expected a string, found {Kind(element)}");

    private static bool Boolean(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new JsonDirectoryFormatException($"{path}: expected true or false, found {Kind(element)}"),
    };

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        _ => "null",
    };
}

/// <summary>A JSON export that does not have the expected shape; the message starts with the JSON path or line.</summary>
internal sealed class JsonDirectoryFormatException(string message) : Exception(message);
