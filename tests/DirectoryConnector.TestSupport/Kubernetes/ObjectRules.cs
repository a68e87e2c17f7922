using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// What the API server does to an object on create and update: server-managed metadata, the status subresource split,
/// generation, resourceVersion preconditions, schema pruning/defaulting/validation and finalizers.
/// </summary>
internal static class ObjectRules
{
    private static readonly string[] ServerManagedMetadata = ["uid", "resourceVersion", "creationTimestamp", "generation", "deletionTimestamp", "managedFields"];

    /// <summary>How the request asked for unknown fields to be treated (the fieldValidation query parameter).</summary>
    public enum FieldValidation
    {
        Ignore,
        Warn,
        Strict,
    }

    public static JsonObject PrepareCreate(ApiResourceType type, string? ns, JsonObject obj, FieldValidation fieldValidation, List<string> warnings, Func<DateTimeOffset> now)
    {
        CheckKind(type, obj);
        var metadata = obj["metadata"] as JsonObject ?? [];
        obj["metadata"] = metadata;
        foreach (var key in ServerManagedMetadata)
        {
            metadata.Remove(key);
        }

        if (metadata["name"]?.GetValue<string>() is not { Length: > 0 })
        {
            if (metadata["generateName"]?.GetValue<string>() is { Length: > 0 } prefix)
            {
                metadata["name"] = prefix + Guid.NewGuid().ToString("N")[..5];
            }
            else
            {
                throw new KubeApiException(422, "Invalid", $"{type.QualifiedKind} \"\" is invalid: metadata.name: Required value: name or generateName is required");
            }
        }

        if (type.Namespaced)
        {
            var bodyNamespace = metadata["namespace"]?.GetValue<string>();
            if (bodyNamespace is { Length: > 0 } && bodyNamespace != ns)
            {
                throw KubeApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
            }

            metadata["namespace"] = ns;
        }
        else
        {
            metadata.Remove("namespace");
        }

        metadata["uid"] = Guid.NewGuid().ToString();
        metadata["creationTimestamp"] = Timestamp(now());
        if (type.TracksGeneration)
        {
            metadata["generation"] = 1L;
        }

        // With a status subresource, status is written only through /status; create drops it.
        if (type.HasStatusSubresource)
        {
            obj.Remove("status");
        }

        ApplyTypeSpecifics(type, obj);
        if (type is { Group: "", Plural: "namespaces" })
        {
            // The namespace strategy: a new Namespace is Active.
            obj["status"] = new JsonObject { ["phase"] = "Active" };
        }

        ApplySchema(type, obj, fieldValidation, warnings);
        return obj;
    }

    /// <summary>Builds the object an update or patch stores, or decides nothing changed.</summary>
    public static MutationResult PrepareUpdate(ApiResourceType type, string name, JsonObject current, JsonObject incoming, bool statusSubresource,
        FieldValidation fieldValidation, List<string> warnings)
    {
        CheckKind(type, incoming);
        var incomingMetadata = incoming["metadata"] as JsonObject ?? [];
        var incomingName = incomingMetadata["name"]?.GetValue<string>();
        if (incomingName is not null && incomingName != name)
        {
            throw KubeApiException.BadRequest($"the name of the object ({incomingName}) does not match the name on the URL ({name})");
        }

        var currentVersion = current["metadata"]!["resourceVersion"]!.GetValue<string>();
        var precondition = incomingMetadata["resourceVersion"]?.GetValue<string>();
        if (string.IsNullOrEmpty(precondition) && type.IsCustom)
        {
            throw new KubeApiException(422, "Invalid",
                $"{type.QualifiedKind} \"{name}\" is invalid: metadata.resourceVersion: Invalid value: 0x0: must be specified for an update");
        }

        if (!string.IsNullOrEmpty(precondition) && precondition != currentVersion)
        {
            throw KubeApiException.Conflict(type, name);
        }

        JsonObject updated;
        if (statusSubresource)
        {
            // Writes to /status change status only.
            updated = current.DeepClone().AsObject();
            updated["status"] = incoming["status"]?.DeepClone();
        }
        else
        {
            updated = incoming.DeepClone().AsObject();
            updated["metadata"] = incomingMetadata.DeepClone();
            var metadata = updated["metadata"]!.AsObject();
            foreach (var key in ServerManagedMetadata)
            {
                metadata.Remove(key);
                if (current["metadata"]![key] is { } kept)
                {
                    metadata[key] = kept.DeepClone();
                }
            }

            metadata["name"] = name;
            if (current["metadata"]!["namespace"] is { } ns)
            {
                metadata["namespace"] = ns.DeepClone();
            }

            // Writes to the main resource cannot change status when a status subresource exists.
            if (type.HasStatusSubresource)
            {
                updated.Remove("status");
                if (current["status"] is { } status)
                {
                    updated["status"] = status.DeepClone();
                }
            }

            ApplyTypeSpecifics(type, updated);
        }

        if (updated["status"] is null)
        {
            updated.Remove("status");
        }

        ApplySchema(type, updated, fieldValidation, warnings, statusSubresource);

        if (type.TracksGeneration && SpecChanged(current, updated, type.HasStatusSubresource))
        {
            var generation = current["metadata"]!["generation"]?.GetValue<long>() ?? 0;
            updated["metadata"]!["generation"] = generation + 1;
        }

        // The last finalizer removed from an object being deleted completes the deletion.
        if (updated["metadata"]!["deletionTimestamp"] is not null
            && (updated["metadata"]!["finalizers"] as JsonArray ?? []).Count == 0)
        {
            return MutationResult.Delete();
        }

        updated = JsonNode.Parse(updated.ToJsonString())!.AsObject();
        return JsonNode.DeepEquals(updated, current) ? MutationResult.NoChange() : MutationResult.Store(updated);
    }

    public static MutationResult PrepareDelete(JsonObject current, Func<DateTimeOffset> now)
    {
        if ((current["metadata"]!["finalizers"] as JsonArray ?? []).Count == 0)
        {
            return MutationResult.Delete();
        }

        if (current["metadata"]!["deletionTimestamp"] is not null)
        {
            return MutationResult.NoChange();
        }

        current["metadata"]!["deletionTimestamp"] = Timestamp(now());
        return MutationResult.Store(current);
    }

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    // Generation counts changes to anything but metadata, and status when a status subresource owns it.
    private static bool SpecChanged(JsonObject current, JsonObject updated, bool statusSubresource)
    {
        JsonObject WithoutMetadataAndStatus(JsonObject obj)
        {
            var copy = obj.DeepClone().AsObject();
            copy.Remove("metadata");
            if (statusSubresource)
            {
                copy.Remove("status");
            }

            return copy;
        }

        return !JsonNode.DeepEquals(WithoutMetadataAndStatus(current), WithoutMetadataAndStatus(updated));
    }

    private static void CheckKind(ApiResourceType type, JsonObject obj)
    {
        var kind = obj["kind"]?.GetValue<string>();
        var apiVersion = obj["apiVersion"]?.GetValue<string>();
        if ((kind is not null && kind != type.Kind) || (apiVersion is not null && apiVersion != type.GroupVersion))
        {
            throw KubeApiException.BadRequest(
                $"the API version in the data ({apiVersion}) does not match the expected API version ({type.GroupVersion}) or kind {kind} is not {type.Kind}");
        }

        obj["kind"] = type.Kind;
        obj["apiVersion"] = type.GroupVersion;
    }

    // Decoding (400), then pruning, defaulting and validation: the schema's, the name's and the built-in type's rules in one 422.
    private static void ApplySchema(ApiResourceType type, JsonObject obj, FieldValidation fieldValidation, List<string> warnings, bool statusOnly = false)
    {
        BuiltinRules.Decode(type, obj);
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        var builtin = statusOnly ? [] : BuiltinRules.Validate(type, obj);

        if (type.Schema is not { } schema)
        {
            if (builtin.Count > 0)
            {
                throw KubeApiException.Invalid(type, name, builtin);
            }

            return;
        }

        var unknown = schema.Prune(obj);
        if (unknown.Count > 0)
        {
            var fields = string.Join(", ", unknown.Select(u => $"unknown field \"{u}\""));
            if (fieldValidation == FieldValidation.Strict)
            {
                throw KubeApiException.BadRequest(
                    $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: strict decoding error: {fields}");
            }

            if (fieldValidation == FieldValidation.Warn)
            {
                warnings.AddRange(unknown.Select(u => $"unknown field \"{u}\""));
            }
        }

        schema.ApplyDefaults(obj);
        var errors = builtin.Concat(schema.Validate(obj)).ToList();
        if (errors.Count > 0)
        {
            throw KubeApiException.Invalid(type, name, errors);
        }
    }

    private static void ApplyTypeSpecifics(ApiResourceType type, JsonObject obj)
    {
        // Secrets: stringData is write-only and merged into data, base64-encoded.
        if (type is { Group: "", Plural: "secrets" } && obj["stringData"] is JsonObject stringData)
        {
            var data = obj["data"] as JsonObject ?? [];
            foreach (var (key, value) in stringData)
            {
                data[key] = System.Convert.ToBase64String(Encoding.UTF8.GetBytes(value?.GetValue<string>() ?? ""));
            }

            obj["data"] = data;
            obj.Remove("stringData");
        }
    }
}
