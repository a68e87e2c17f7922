using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// The OpenAPI v3 discovery kubectl reads before `apply --validate=strict`: /openapi/v3 lists one document per
/// group-version, and each document's PATCH operations carry x-kubernetes-group-version-kind and the fieldValidation
/// query parameter, which tells kubectl the server validates fields itself (so it sends fieldValidation=Strict).
/// Schemas are not included: the emulator validates on the server side.
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
        foreach (var type in types.Where(t => t.GroupVersion == groupVersion))
        {
            var scope = type.Namespaced ? "namespaces/{namespace}/" : "";
            paths[$"/{PathOf(groupVersion)}/{scope}{type.Plural}/{{name}}"] = new JsonObject
            {
                ["patch"] = new JsonObject
                {
                    ["operationId"] = $"patch{type.Kind}",
                    ["x-kubernetes-action"] = "patch",
                    ["x-kubernetes-group-version-kind"] = new JsonObject
                    {
                        ["group"] = type.Group,
                        ["version"] = type.Version,
                        ["kind"] = type.Kind,
                    },
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
            ["components"] = new JsonObject { ["schemas"] = new JsonObject() },
        };
    }

    private static string PathOf(string groupVersion) => groupVersion.Contains('/', StringComparison.Ordinal) ? $"apis/{groupVersion}" : $"api/{groupVersion}";

    private static JsonObject Query(string name) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };
}
