using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>A field error as the API server reports it: the field path, a reason and the detail after the path.</summary>
public sealed record FieldError(string Field, string Reason, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}

/// <summary>
/// The parts of a CRD's structural openAPIV3Schema the API server applies on create and update, in its order:
/// prune unknown fields (and nulls of non-nullable fields), apply defaults, then validate (types, required, enum,
/// pattern, lengths, minimum/maximum, min/maxProperties, list-map keys, then x-kubernetes-validations rules).
/// </summary>
public sealed class StructuralSchema
{
    private readonly JsonObject _root;

    public StructuralSchema(JsonObject root)
    {
        _root = root;
        // Fail at load time on a rule the emulator cannot evaluate, so a new rule in the CRD cannot pass unchecked.
        CompileRules(root);
    }

    /// <summary>The openAPIV3Schema as the CRD declares it (for OpenAPI documents; do not modify).</summary>
    public JsonObject Root => _root;

    /// <summary>Removes fields the schema does not declare; returns their paths (for strict field validation).</summary>
    public List<string> Prune(JsonObject obj)
    {
        var unknown = new List<string>();
        foreach (var key in obj.Select(p => p.Key).ToList())
        {
            if (key is "apiVersion" or "kind" or "metadata")
            {
                continue;
            }

            PruneProperty(obj, key, _root, "", unknown);
        }

        return unknown;
    }

    public void ApplyDefaults(JsonObject obj)
    {
        foreach (var key in new[] { "spec", "status" })
        {
            if (Properties(_root)?[key] is JsonObject schema)
            {
                if (obj[key] is null && schema["default"] is { } rootDefault)
                {
                    obj[key] = rootDefault.DeepClone();
                }

                Default(obj[key], schema);
            }
        }
    }

    public List<FieldError> Validate(JsonObject obj)
    {
        var errors = new List<FieldError>();
        var properties = Properties(_root);
        foreach (var name in Required(_root))
        {
            if (obj[name] is null)
            {
                errors.Add(new FieldError(name, "FieldValueRequired", "Required value"));
            }
        }

        foreach (var (key, value) in obj)
        {
            if (key is not ("apiVersion" or "kind" or "metadata") && properties?[key] is JsonObject schema && value is not null)
            {
                Validate(value, schema, key, errors);
            }
        }

        return errors;
    }

    private static void PruneProperty(JsonObject parent, string key, JsonObject parentSchema, string path, List<string> unknown)
    {
        var childPath = path.Length == 0 ? key : $"{path}.{key}";
        if (parentSchema["x-kubernetes-preserve-unknown-fields"]?.GetValue<bool>() == true)
        {
            return;
        }

        if (Properties(parentSchema)?[key] is not JsonObject schema)
        {
            parent.Remove(key);
            unknown.Add(childPath);
            return;
        }

        var value = parent[key];
        if (value is null)
        {
            if (schema["nullable"]?.GetValue<bool>() != true)
            {
                parent.Remove(key);
            }

            return;
        }

        PruneValue(value, schema, childPath, unknown);
    }

    private static void PruneValue(JsonNode value, JsonObject schema, string path, List<string> unknown)
    {
        if (value is JsonObject obj && Properties(schema) is not null)
        {
            foreach (var key in obj.Select(p => p.Key).ToList())
            {
                PruneProperty(obj, key, schema, path, unknown);
            }
        }
        else if (value is JsonArray array && schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is { } item)
                {
                    PruneValue(item, items, $"{path}[{i}]", unknown);
                }
            }
        }
    }

    private static void Default(JsonNode? value, JsonObject schema)
    {
        if (value is JsonObject obj && Properties(schema) is { } properties)
        {
            foreach (var (name, propertySchemaNode) in properties)
            {
                var propertySchema = propertySchemaNode!.AsObject();
                if (obj[name] is null && propertySchema["default"] is { } defaultValue)
                {
                    obj[name] = defaultValue.DeepClone();
                }

                Default(obj[name], propertySchema);
            }
        }
        else if (value is JsonArray array && schema["items"] is JsonObject items)
        {
            foreach (var item in array)
            {
                Default(item, items);
            }
        }
    }

    private static void Validate(JsonNode value, JsonObject schema, string path, List<FieldError> errors)
    {
        var errorsBefore = errors.Count;
        var type = schema["type"]?.GetValue<string>();
        var actual = JsonTypeOf(value);
        if (type is not null && !TypeMatches(type, value, actual))
        {
            errors.Add(new FieldError(path, "FieldValueTypeInvalid",
                $"Invalid value: \"{actual}\": {path} in body must be of type {type}: \"{actual}\""));
            return;
        }

        switch (value)
        {
            case JsonObject obj:
                ValidateObject(obj, schema, path, errors);
                break;
            case JsonArray array:
                ValidateArray(array, schema, path, errors);
                break;
            case JsonValue scalar:
                ValidateScalar(scalar, schema, path, errors);
                break;
        }

        // Rules run after the schema checks, on values of the right type; a rule that cannot evaluate a value the
        // schema already rejected (duration() of a non-duration) adds nothing to that error.
        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules.Select(r => r!.AsObject()))
            {
                var ruleText = rule["rule"]!.GetValue<string>();
                if (!CelRules.TryEvaluate(ruleText, value, out var passed) && errors.Count > errorsBefore)
                {
                    continue;
                }

                if (!passed)
                {
                    var message = rule["message"]?.GetValue<string>() ?? $"failed rule: {ruleText}";
                    var fieldPath = rule["fieldPath"]?.GetValue<string>() is { } relative ? path + relative : path;
                    errors.Add(new FieldError(fieldPath, "FieldValueInvalid", $"Invalid value: \"{actual}\": {message}"));
                }
            }
        }
    }

    private static void ValidateObject(JsonObject obj, JsonObject schema, string path, List<FieldError> errors)
    {
        foreach (var name in Required(schema))
        {
            if (obj[name] is null)
            {
                errors.Add(new FieldError($"{path}.{name}", "FieldValueRequired", "Required value"));
            }
        }

        if (Long(schema, "maxProperties") is { } maxProperties && obj.Count > maxProperties)
        {
            errors.Add(new FieldError(path, "FieldValueTooMany", $"Too many: {obj.Count}: must have at most {maxProperties} items"));
        }

        if (Long(schema, "minProperties") is { } minProperties && obj.Count < minProperties)
        {
            errors.Add(new FieldError(path, "FieldValueInvalid",
                $"Invalid value: {obj.Count}: {path} in body should have at least {minProperties} properties"));
        }

        var properties = Properties(schema);
        foreach (var (name, child) in obj)
        {
            if (child is not null && properties?[name] is JsonObject childSchema)
            {
                Validate(child, childSchema, $"{path}.{name}", errors);
            }
        }
    }

    private static void ValidateArray(JsonArray array, JsonObject schema, string path, List<FieldError> errors)
    {
        if (Long(schema, "maxItems") is { } maxItems && array.Count > maxItems)
        {
            errors.Add(new FieldError(path, "FieldValueTooMany", $"Too many: {array.Count}: must have at most {maxItems} items"));
        }

        if (schema["items"] is JsonObject items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (array[i] is { } item)
                {
                    Validate(item, items, $"{path}[{i}]", errors);
                }
            }
        }

        if (schema["x-kubernetes-list-type"]?.GetValue<string>() == "map" && schema["x-kubernetes-list-map-keys"] is JsonArray keys)
        {
            var seen = new HashSet<string>();
            for (var i = 0; i < array.Count; i++)
            {
                var key = string.Join("/", keys.Select(k => array[i]?[k!.GetValue<string>()]?.ToJsonString()));
                if (!seen.Add(key))
                {
                    errors.Add(new FieldError($"{path}[{i}]", "FieldValueDuplicate", $"Duplicate value: {array[i]!.ToJsonString()}"));
                }
            }
        }
    }

    private static void ValidateScalar(JsonValue value, JsonObject schema, string path, List<FieldError> errors)
    {
        var shown = value.ToJsonString();
        if (schema["enum"] is JsonArray allowed && !allowed.Any(a => JsonNode.DeepEquals(a, value)))
        {
            errors.Add(new FieldError(path, "FieldValueNotSupported",
                $"Unsupported value: {shown}: supported values: {string.Join(", ", allowed.Select(a => a!.ToJsonString()))}"));
        }

        if (value.TryGetValue<string>(out var text))
        {
            if (schema["pattern"]?.GetValue<string>() is { } pattern && !Regex.IsMatch(text, pattern, RegexOptions.None, TimeSpan.FromSeconds(1)))
            {
                errors.Add(new FieldError(path, "FieldValueInvalid", $"Invalid value: {shown}: {path} in body should match '{pattern}'"));
            }

            if (Long(schema, "minLength") is { } minLength && text.Length < minLength)
            {
                errors.Add(new FieldError(path, "FieldValueInvalid", $"Invalid value: {shown}: {path} in body should be at least {minLength} chars long"));
            }

            if (Long(schema, "maxLength") is { } maxLength && text.Length > maxLength)
            {
                errors.Add(new FieldError(path, "FieldValueTooLong", $"Too long: may not be more than {maxLength} bytes"));
            }

            if (schema["format"]?.GetValue<string>() == "date-time"
                && !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _))
            {
                errors.Add(new FieldError(path, "FieldValueInvalid", $"Invalid value: {shown}: {path} in body must be of type date-time: {shown}"));
            }
        }
        else if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            if (Double(schema, "minimum") is { } minimum && number < minimum)
            {
                errors.Add(new FieldError(path, "FieldValueInvalid",
                    $"Invalid value: {shown}: {path} in body should be greater than or equal to {Format(minimum)}"));
            }

            if (Double(schema, "maximum") is { } maximum && number > maximum)
            {
                errors.Add(new FieldError(path, "FieldValueInvalid",
                    $"Invalid value: {shown}: {path} in body should be less than or equal to {Format(maximum)}"));
            }
        }
    }

    private static bool TypeMatches(string type, JsonNode value, string actual) => type switch
    {
        "integer" => actual == "integer",
        "number" => actual is "number" or "integer",
        _ => type == actual,
    };

    private static string JsonTypeOf(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Number => value.GetValue<double>() is var d && Math.Floor(d) == d && !value.ToJsonString().Contains('.', StringComparison.Ordinal)
            ? "integer" : "number",
        _ => "null",
    };

    private static void CompileRules(JsonObject schema)
    {
        if (schema["x-kubernetes-validations"] is JsonArray rules)
        {
            foreach (var rule in rules)
            {
                CelRules.Compile(rule!["rule"]!.GetValue<string>());
            }
        }

        foreach (var child in (Properties(schema)?.Select(p => p.Value) ?? []).Append(schema["items"]))
        {
            if (child is JsonObject childSchema)
            {
                CompileRules(childSchema);
            }
        }
    }

    private static JsonObject? Properties(JsonObject schema) => schema["properties"] as JsonObject;

    private static IEnumerable<string> Required(JsonObject schema) =>
        schema["required"]?.AsArray().Select(r => r!.GetValue<string>()) ?? [];

    private static long? Long(JsonObject schema, string key) => schema[key] is JsonValue v ? (long)v.GetValue<double>() : null;

    private static double? Double(JsonObject schema, string key) => schema[key] is JsonValue v ? v.GetValue<double>() : null;

    private static string Format(double number) => number.ToString(CultureInfo.InvariantCulture);
}
