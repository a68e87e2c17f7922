using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// The OpenAPI v3 discovery kubectl reads before `apply --validate=strict`: /openapi/v3 lists one document per
/// group-version, and each document's PATCH operations carry x-kubernetes-group-version-kind and the fieldValidation
/// query parameter, which tells kubectl the server validates fields itself (so it sends fieldValidation=Strict).
/// Custom resources' schemas are included, tagged with their group-version-kind, so `kubectl explain` works.
/// </summary>
internal static class OpenApiDocuments
{
    public static JsonObject Root(IEnumerable<ApiResourceType> types)
    {
        var paths = new JsonObject();
        foreach (var groupVersion in types.Select(t => t.GroupVersion).Distinct().Order(StringComparer.Ordinal))
        {
            var path = PathOf(groupVersion);
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}" };
        }

        return new JsonObject { ["paths"] = paths };
    }

    public static JsonObject GroupVersion(IEnumerable<ApiResourceType> types, string groupVersion)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        foreach (var type in types.Where(t => t.GroupVersion == groupVersion))
        {
            if (type.Schema is { } schema)
            {
                var component = schema.Root.DeepClone().AsObject();
                component["x-kubernetes-group-version-kind"] = new JsonArray(Gvk(type));
                schemas[$"{string.Join('.', type.Group.Split('.').Reverse())}.{type.Version}.{type.Kind}"] = component;
            }

            var scope = type.Namespaced ? "namespaces/{namespace}/" : "";
            paths[$"/{PathOf(groupVersion)}/{scope}{type.Plural}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = Gvk(type),
                    ["parameters"] = new JsonArray(
                        Query("dryRun"), Query("fieldManager"), Query("fieldValidation"), Query("force")),
                    ["requestBody"] = new JsonObject
                    {
                        ["content"] = new JsonObject
                        {
                            ["application/json-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                            ["application/merge-patch+json"] = new JsonObject { ["schema"] = new JsonObject { ["type"] = "object" } },
                        },
                        ["required"] = true,
                    },
                    ["responses"] = new JsonObject { ["200"] = new JsonObject { ["description"] = "OK" } },
                },
            };
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = "v1.35.0-emulator" },
            ["paths"] = paths,
            ["components"] = new JsonObject { ["schemas"] = schemas },
        };
    }

    private static JsonObject Gvk(ApiResourceType type) => new()
    {
        ["group"] = type.Group,
        ["version"] = type.Version,
        ["kind"] = type.Kind,
    };

    private static string PathOf(string groupVersion) => groupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{groupVersion}" : $"api/{groupVersion}";

    private static JsonObject Query(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
