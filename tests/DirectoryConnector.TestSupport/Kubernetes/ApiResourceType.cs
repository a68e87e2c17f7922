using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>One served resource (group, version, plural) and what the emulator needs to know to serve it.</summary>
public sealed record ApiResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> ShortNames,
    IReadOnlyList<string> Categories)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"directorysyncs.directoryconnector.dev", or "secrets" for the core group, as the server names them in errors.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    /// <summary>"DirectorySync.directoryconnector.dev", as the server names the kind in 422 messages.</summary>
    public string QualifiedKind => Group.Length == 0 ? Kind : $"{Kind}.{Group}";

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>A custom resource: served from a CRD with its schema, generation and stricter update rules.</summary>
    public bool IsCustom { get; init; }

    public bool HasStatusSubresource { get; init; }

    /// <summary>Objects carry metadata.generation, bumped when anything but metadata and status changes.</summary>
    public bool TracksGeneration { get; init; }

    /// <summary>The structural openAPIV3Schema of a custom resource, null for built-ins.</summary>
    public StructuralSchema? Schema { get; init; }

    /// <summary>additionalPrinterColumns of a custom resource (JsonObjects with name, type, jsonPath, description).</summary>
    public IReadOnlyList<JsonObject> PrinterColumns { get; init; } = [];

    public static ApiResourceType Builtin(string group, string version, string plural, string kind, bool namespaced, params string[] shortNames) =>
        new(group, version, plural, kind, namespaced, shortNames, []) { TracksGeneration = plural == "customresourcedefinitions" };

    /// <summary>The served version of a CustomResourceDefinition object, as the API server builds it.</summary>
    public static ApiResourceType FromCrd(JsonObject crd)
    {
        var spec = crd["spec"]!.AsObject();
        var names = spec["names"]!.AsObject();
        var versions = spec["versions"]!.AsArray().Select(v => v!.AsObject()).ToList();
        var version = versions.FirstOrDefault(v => v["storage"]?.GetValue<bool>() == true) ?? versions[0];
        var schemaNode = version["schema"]?["openAPIV3Schema"]?.AsObject();
        return new ApiResourceType(
            spec["group"]!.GetValue<string>(),
            version["name"]!.GetValue<string>(),
            names["plural"]!.GetValue<string>(),
            names["kind"]!.GetValue<string>(),
            spec["scope"]?.GetValue<string>() != "Cluster",
            Strings(names["shortNames"]),
            Strings(names["categories"]))
        {
            IsCustom = true,
            TracksGeneration = true,
            HasStatusSubresource = version["subresources"]?["status"] is not null,
            Schema = schemaNode is null ? null : new StructuralSchema(schemaNode),
            PrinterColumns = version["additionalPrinterColumns"]?.AsArray().Select(c => c!.AsObject()).ToList() ?? [],
        };
    }

    private static List<string> Strings(JsonNode? node) =>
        node?.AsArray().Select(n => n!.GetValue<string>()).ToList() ?? [];

    /// <summary>The built-in types an operator touches; everything else is served from CRDs.</summary>
    public static IReadOnlyList<ApiResourceType> Builtins { get; } =
    [
        Builtin("", "v1", "namespaces", "Namespace", namespaced: false, "ns"),
        Builtin("", "v1", "secrets", "Secret", namespaced: true),
        Builtin("", "v1", "configmaps", "ConfigMap", namespaced: true, "cm"),
        Builtin("", "v1", "events", "Event", namespaced: true, "ev"),
        Builtin("events.k8s.io", "v1", "events", "Event", namespaced: true, "ev"),
        Builtin("coordination.k8s.io", "v1", "leases", "Lease", namespaced: true),
        Builtin("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", namespaced: false, "crd", "crds"),
    ];
}
