using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// What a response is converted to, negotiated from the Accept header as the API server does
/// (k8s.io/apiserver pkg/endpoints/handlers/negotiation NegotiateMediaTypeOptions and RequestScope.AllowsMediaTypeTransform;
/// handlers/response.go doTransformObject): clauses in quality order; <c>as</c>/<c>g</c>/<c>v</c> ask for a
/// meta.k8s.io (v1 or v1beta1) Table, PartialObjectMetadata or PartialObjectMetadataList; any other conversion makes the
/// clause unacceptable, and no acceptable clause is 406 NotAcceptable. The emulator writes JSON only: YAML and protobuf
/// clauses, which the server would serve, are skipped (every client here sends a JSON clause).
/// </summary>
public sealed record ResponseFormat(string? Kind, string? GroupVersion)
{
    public const string Table = "Table";
    public const string PartialObjectMetadata = "PartialObjectMetadata";
    public const string PartialObjectMetadataList = "PartialObjectMetadataList";

    /// <summary>What the server lists in its 406 (JSON, YAML, protobuf; CBOR only behind a feature gate).</summary>
    public const string NotAcceptableMessage = "only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf";

    public static ResponseFormat Plain { get; } = new(null, null);

    /// <summary>The negotiated format; throws 406 NotAcceptable when no clause of the Accept header can be served.</summary>
    public static ResponseFormat Of(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var header = request.Headers.Accept.ToString();
        if (string.IsNullOrWhiteSpace(header))
        {
            return Plain;
        }

        foreach (var clause in Parse(header))
        {
            if (clause.Type is not ("application/json" or "application/*" or "*/*"))
            {
                continue;
            }

            clause.Parameters.TryGetValue("as", out var kind);
            clause.Parameters.TryGetValue("g", out var group);
            clause.Parameters.TryGetValue("v", out var version);
            if (kind is null && group is null && version is null)
            {
                return Plain;
            }

            if (group == "meta.k8s.io" && version is "v1" or "v1beta1" && kind is Table or PartialObjectMetadata or PartialObjectMetadataList)
            {
                return new ResponseFormat(kind, $"{group}/{version}");
            }
        }

        throw new KubeApiException(406, "NotAcceptable", NotAcceptableMessage);
    }

    /// <summary>A single object as this format asks: itself, or its PartialObjectMetadata. A list conversion is 406.</summary>
    public JsonObject Item(ApiResourceType type, JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(obj);
        return Kind switch
        {
            PartialObjectMetadata => Metadata(obj),
            PartialObjectMetadataList => throw new KubeApiException(406, "NotAcceptable",
                $"you requested PartialObjectMetadataList, but the requested object is not a list ({GoType(type, list: false)})"),
            _ => obj,
        };
    }

    /// <summary>A list as this format asks, or null when it is not a metadata conversion (Table and plain are written by the caller).</summary>
    public JsonObject? List(ApiResourceType type, IEnumerable<JsonObject> items, JsonObject listMetadata)
    {
        ArgumentNullException.ThrowIfNull(type);
        return Kind switch
        {
            PartialObjectMetadata => throw new KubeApiException(406, "NotAcceptable",
                $"you requested PartialObjectMetadata, but the requested object is a list ({GoType(type, list: true)})"),
            PartialObjectMetadataList => new JsonObject
            {
                ["kind"] = PartialObjectMetadataList,
                ["apiVersion"] = GroupVersion,
                ["metadata"] = listMetadata,
                ["items"] = new JsonArray([.. items.Select(Metadata)]),
            },
            _ => null,
        };
    }

    /// <summary>
    /// The object of one watch event. The server transforms each event's object with the negotiated conversion and, when
    /// that fails (PartialObjectMetadataList asked of a single object), logs it and sends the object unconverted
    /// (handlers/watch.go watchEmbeddedEncoder.doEncode).
    /// </summary>
    public JsonObject WatchObject(JsonObject obj) => Kind == PartialObjectMetadata ? Metadata(obj) : obj;

    private JsonObject Metadata(JsonObject obj) => new()
    {
        ["kind"] = PartialObjectMetadata,
        ["apiVersion"] = GroupVersion,
        ["metadata"] = obj["metadata"]?.DeepClone() ?? new JsonObject(),
    };

    // How the server names the object's type in these messages: its internal Go type, or unstructured for custom resources.
    private static string GoType(ApiResourceType type, bool list) =>
        type.IsCustom
            ? (list ? "*unstructured.UnstructuredList" : "*unstructured.Unstructured")
            : $"*{(type.Group.Length == 0 || type.Group == "events.k8s.io" ? "core" : type.Group.Split('.')[0])}.{type.Kind}{(list ? "List" : "")}";

    private static IEnumerable<Clause> Parse(string header)
    {
        var clauses = new List<Clause>();
        foreach (var part in header.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var fields = part.Split(';', StringSplitOptions.TrimEntries);
            var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
            var quality = 1.0;
            foreach (var field in fields.Skip(1))
            {
                var (name, value) = field.IndexOf('=', StringComparison.Ordinal) is var at and >= 0 ? (field[..at].Trim(), field[(at + 1)..].Trim()) : (field, "");
                if (name == "q")
                {
                    quality = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var q) ? q : 0;
                }
                else
                {
                    parameters[name] = value;
                }
            }

            var type = fields[0].ToLowerInvariant();
            var specificity = type == "*/*" ? 0 : type.EndsWith("/*", StringComparison.Ordinal) ? 1 : 2;
            clauses.Add(new Clause(type, parameters, quality, specificity, clauses.Count));
        }

        // goautoneg.ParseAccept: by quality, then the more specific type; otherwise in the order given.
        return clauses.Where(c => c.Quality > 0).OrderByDescending(c => c.Quality).ThenByDescending(c => c.Specificity).ThenBy(c => c.Position);
    }

    private sealed record Clause(string Type, Dictionary<string, string> Parameters, double Quality, int Specificity, int Position);
}
