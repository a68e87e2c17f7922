using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// labelSelector (=, ==, !=, in, notin, exists, !exists) and fieldSelector (= or !=) on the fields each type supports
/// (metadata.name and metadata.namespace everywhere; involvedObject.*, reason, type... on Events, as kubectl describe
/// uses them). Anything else is a 400, as on the server.
/// </summary>
public static partial class Selectors
{
    public static Func<JsonObject, bool> Parse(string? labelSelector, string? fieldSelector, ApiResourceType? type = null)
    {
        var labels = ParseLabels(labelSelector);
        var fields = ParseFields(fieldSelector, type);
        return obj => labels(obj["metadata"]?["labels"] as JsonObject) && fields(obj);
    }

    private static Func<JsonObject?, bool> ParseLabels(string? selector)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return _ => true;
        }

        var requirements = new List<Func<JsonObject?, bool>>();
        foreach (Match part in Requirement().Matches(selector))
        {
            var text = part.Value.Trim();
            if (text.Length == 0)
            {
                continue;
            }

            requirements.Add(ParseRequirement(text, selector));
        }

        return labels => requirements.All(r => r(labels));
    }

    private static Func<JsonObject?, bool> ParseRequirement(string text, string selector)
    {
        static string? Label(JsonObject? labels, string key) => labels?[key]?.GetValue<string>();

        if (SetRequirement().Match(text) is { Success: true } set)
        {
            var key = set.Groups[1].Value;
            var values = set.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet();
            return set.Groups[2].Value == "in"
                ? labels => Label(labels, key) is { } v && values.Contains(v)
                : labels => Label(labels, key) is not { } v || !values.Contains(v);
        }

        if (EqualityRequirement().Match(text) is { Success: true } equality)
        {
            var (key, op, value) = (equality.Groups[1].Value, equality.Groups[2].Value, equality.Groups[3].Value);
            return op == "!="
                ? labels => Label(labels, key) != value
                : labels => Label(labels, key) == value;
        }

        if (ExistsRequirement().Match(text) is { Success: true } exists)
        {
            var key = exists.Groups[2].Value;
            return exists.Groups[1].Value == "!"
                ? labels => Label(labels, key) is null
                : labels => Label(labels, key) is not null;
        }

        throw KubeApiException.BadRequest($"unable to parse requirement: found '{text}' in label selector \"{selector}\"");
    }

    private static Func<JsonObject, bool> ParseFields(string? selector, ApiResourceType? type)
    {
        if (string.IsNullOrWhiteSpace(selector))
        {
            return _ => true;
        }

        var requirements = new List<Func<JsonObject, bool>>();
        foreach (var text in selector.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var match = EqualityRequirement().Match(text);
            var field = match.Groups[1].Value;
            if (!match.Success || !FieldSupported(type, field))
            {
                throw KubeApiException.BadRequest($"field label not supported: {field}");
            }

            var (negated, value) = (match.Groups[2].Value == "!=", match.Groups[3].Value);
            // Event's "source" selects source.component, as the server's field label conversion does.
            var path = field == "source" ? ["source", "component"] : field.Split('.');
            requirements.Add(obj => (FieldValue(obj, path) == value) != negated);
        }

        return obj => requirements.All(r => r(obj));
    }

    private static bool FieldSupported(ApiResourceType? type, string field) => field is "metadata.name" or "metadata.namespace"
        || (type is { Kind: "Event", Group: "" } && (field.StartsWith("involvedObject.", StringComparison.Ordinal) || field is "reason" or "reportingComponent" or "source" or "type"))
        || (type is { Kind: "Event", Group: "events.k8s.io" } && (field.StartsWith("regarding.", StringComparison.Ordinal) || field is "reason" or "reportingController" or "type"))
        || (type is { Kind: "Secret" } && field == "type");

    private static string FieldValue(JsonObject obj, string[] path)
    {
        JsonNode? node = obj;
        foreach (var step in path)
        {
            node = node?[step];
        }

        // A missing field matches the empty value, as on the server.
        return node is JsonValue value ? value.ToString() : "";
    }

    // Splits on commas outside parentheses.
    [GeneratedRegex(@"[^,(]+(\([^)]*\))?[^,]*")]
    private static partial Regex Requirement();

    [GeneratedRegex(@"^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$")]
    private static partial Regex SetRequirement();

    [GeneratedRegex(@"^([\w./-]+)\s*(==|!=|=)\s*([^,]*)$")]
    private static partial Regex EqualityRequirement();

    [GeneratedRegex(@"^(!?)([\w./-]+)$")]
    private static partial Regex ExistsRequirement();
}
