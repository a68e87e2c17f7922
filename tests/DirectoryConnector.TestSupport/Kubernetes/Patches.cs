using System.Globalization;
using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>JSON merge patch (RFC 7386) and JSON patch (RFC 6902), the patch types the server accepts for every resource.</summary>
public static class Patches
{
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target is JsonObject targetObject ? targetObject.DeepClone().AsObject() : [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                result[key] = MergePatch(result[key], value);
            }
        }

        return result;
    }

    public static JsonNode JsonPatch(JsonNode target, JsonArray operations)
    {
        var document = target.DeepClone();
        foreach (var operation in operations.Select(o => o!.AsObject()))
        {
            var op = operation["op"]?.GetValue<string>() ?? throw KubeApiException.BadRequest("json patch operation without op");
            var path = operation["path"]?.GetValue<string>() ?? throw KubeApiException.BadRequest($"json patch {op} without path");
            switch (op)
            {
                case "add":
                    document = Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(document, path);
                    break;
                case "replace":
                    Remove(document, path);
                    document = Add(document, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                case "copy":
                {
                    var from = operation["from"]!.GetValue<string>();
                    var value = Resolve(document, from)?.DeepClone();
                    if (op == "move")
                    {
                        Remove(document, from);
                    }

                    document = Add(document, path, value);
                    break;
                }

                case "test":
                    if (!JsonNode.DeepEquals(Resolve(document, path), operation["value"]))
                    {
                        throw new KubeApiException(422, "Invalid", $"the server rejected our request due to an error in our request: testing value {path} failed");
                    }

                    break;
                default:
                    throw KubeApiException.BadRequest($"Unexpected kind: {op}");
            }
        }

        return document;
    }

    private static JsonNode Add(JsonNode document, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value!;
        }

        var (parent, last) = Parent(document, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array:
                array.Insert(Index(last, array.Count, path), value);
                break;
            default:
                throw MissingPath(path);
        }

        return document;
    }

    private static void Remove(JsonNode document, string path)
    {
        var (parent, last) = Parent(document, path);
        var removed = parent switch
        {
            JsonObject obj => obj.Remove(last),
            JsonArray array when Index(last, array.Count - 1, path) is var i => RemoveAt(array, i),
            _ => false,
        };
        if (!removed)
        {
            throw MissingPath(path);
        }
    }

    private static bool RemoveAt(JsonArray array, int index)
    {
        array.RemoveAt(index);
        return true;
    }

    private static JsonNode? Resolve(JsonNode document, string path)
    {
        var node = (JsonNode?)document;
        foreach (var token in Tokens(path))
        {
            node = node switch
            {
                JsonObject obj => obj[token],
                JsonArray array => array[Index(token, array.Count - 1, path)],
                _ => throw MissingPath(path),
            };
        }

        return node;
    }

    private static (JsonNode? Parent, string Last) Parent(JsonNode document, string path)
    {
        var tokens = Tokens(path);
        var parentPath = string.Concat(tokens.SkipLast(1).Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        return (Resolve(document, parentPath), tokens[^1]);
    }

    private static List<string> Tokens(string path) =>
        path.Length == 0 ? [] : [.. path[1..].Split('/').Select(t => t.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal))];

    private static int Index(string token, int max, string path) =>
        int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index >= 0 && index <= max
            ? index
            : throw MissingPath(path);

    private static KubeApiException MissingPath(string path) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: doc is missing path: \"{path}\"");
}
