using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// The meta.k8s.io/v1 Table that `kubectl get` asks for (Accept: application/json;as=Table;v=v1;g=meta.k8s.io):
/// a Name column, then the CRD's additionalPrinterColumns evaluated with the JSONPath subset CRDs use
/// (.a.b, [n], [?(@.key=="value")]), date columns rendered as ages like the server does.
/// </summary>
public static partial class TableBuilder
{
    public static JsonObject Build(ApiResourceType type, IEnumerable<JsonObject> objects, long resourceVersion, bool includeObject, DateTimeOffset now)
    {
        var columns = type.PrinterColumns.Count > 0
            ? type.PrinterColumns
            : [new JsonObject { ["name"] = "Age", ["type"] = "date", ["jsonPath"] = ".metadata.creationTimestamp" }];
        var definitions = new JsonArray
        {
            new JsonObject
            {
                ["name"] = "Name",
                ["type"] = "string",
                ["format"] = "name",
                ["description"] = "Name must be unique within a namespace.",
                ["priority"] = 0,
            },
        };
        foreach (var column in columns)
        {
            definitions.Add(new JsonObject
            {
                ["name"] = column["name"]!.GetValue<string>(),
                ["type"] = column["type"]!.GetValue<string>(),
                ["format"] = column["format"]?.GetValue<string>() ?? "",
                ["description"] = column["description"]?.GetValue<string>() ?? "",
                ["priority"] = column["priority"]?.GetValue<int>() ?? 0,
            });
        }

        var rows = new JsonArray();
        foreach (var obj in objects)
        {
            var cells = new JsonArray { obj["metadata"]!["name"]!.GetValue<string>() };
            foreach (var column in columns)
            {
                cells.Add(Cell(Evaluate(obj, column["jsonPath"]!.GetValue<string>()), column["type"]!.GetValue<string>(), now));
            }

            rows.Add(new JsonObject
            {
                ["cells"] = cells,
                ["object"] = includeObject ? obj.DeepClone() : PartialMetadata(obj),
            });
        }

        return new JsonObject
        {
            ["kind"] = "Table",
            ["apiVersion"] = "meta.k8s.io/v1",
            ["metadata"] = new JsonObject { ["resourceVersion"] = resourceVersion.ToString(CultureInfo.InvariantCulture) },
            ["columnDefinitions"] = definitions,
            ["rows"] = rows,
        };
    }

    private static JsonObject PartialMetadata(JsonObject obj) => new()
    {
        ["kind"] = "PartialObjectMetadata",
        ["apiVersion"] = "meta.k8s.io/v1",
        ["metadata"] = obj["metadata"]!.DeepClone(),
    };

    private static JsonNode? Cell(JsonNode? value, string type, DateTimeOffset now)
    {
        if (value is null)
        {
            return null;
        }

        if (type == "date")
        {
            return value.GetValueKind() == JsonValueKind.String
                && DateTimeOffset.TryParse(value.GetValue<string>(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
                    ? HumanDuration(now - time)
                    : "<unknown>";
        }

        return value.GetValueKind() is JsonValueKind.Object or JsonValueKind.Array ? value.ToJsonString() : value.DeepClone();
    }

    /// <summary>The JSONPath subset printer columns use; the first match, or null when nothing matches.</summary>
    public static JsonNode? Evaluate(JsonNode root, string path)
    {
        var current = (JsonNode?)root;
        foreach (Match step in PathStep().Matches(path))
        {
            if (current is null)
            {
                return null;
            }

            if (step.Groups["field"].Success)
            {
                current = current is JsonObject obj ? obj[step.Groups["field"].Value] : null;
            }
            else if (step.Groups["index"].Success)
            {
                var index = int.Parse(step.Groups["index"].Value, CultureInfo.InvariantCulture);
                current = current is JsonArray array && index < array.Count ? array[index] : null;
            }
            else
            {
                var (key, expected) = (step.Groups["key"].Value, step.Groups["value"].Value);
                current = (current as JsonArray)?.FirstOrDefault(item =>
                    item?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String && v.GetValue<string>() == expected);
            }
        }

        return current;
    }

    /// <summary>k8s.io/apimachinery/pkg/util/duration.HumanDuration, which kubectl's AGE column shows.</summary>
    public static string HumanDuration(TimeSpan age)
    {
        var seconds = (long)age.TotalSeconds;
        if (seconds < -1)
        {
            return "<invalid>";
        }

        if (seconds < 0)
        {
            return "0s";
        }

        if (seconds < 60 * 2)
        {
            return $"{seconds}s";
        }

        var minutes = seconds / 60;
        if (minutes < 10)
        {
            var s = seconds % 60;
            return s == 0 ? $"{minutes}m" : $"{minutes}m{s}s";
        }

        if (minutes < 60 * 3)
        {
            return $"{minutes}m";
        }

        var hours = minutes / 60;
        if (hours < 8)
        {
            var m = minutes % 60;
            return m == 0 ? $"{hours}h" : $"{hours}h{m}m";
        }

        if (hours < 48)
        {
            return $"{hours}h";
        }

        if (hours < 24 * 8)
        {
            var h = hours % 24;
            return h == 0 ? $"{hours / 24}d" : $"{hours / 24}d{h}h";
        }

        if (hours < 24 * 365 * 2)
        {
            return $"{hours / 24}d";
        }

        if (hours < 24 * 365 * 8)
        {
            var d = hours / 24 % 365;
            return d == 0 ? $"{hours / 24 / 365}y" : $"{hours / 24 / 365}y{d}d";
        }

        return $"{hours / 24 / 365}y";
    }

    [GeneratedRegex("""\.(?<field>[A-Za-z0-9_-]+)|\[(?<index>[0-9]+)\]|\[\?\(@\.(?<key>[A-Za-z0-9_]+)==["'](?<value>[^"']*)["']\)\]""")]
    private static partial Regex PathStep();
}
