using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// What the API server checks on built-in objects besides their schema, with its field paths and messages:
/// metadata.name rules per type (generic registry ValidateObjectMetaAccessor / the type's ValidateObjectMeta), Events
/// (pkg/apis/core/validation/events.go: legacy rules for core/v1, strict ones for events.k8s.io/v1, which validates as
/// the internal core Event and so names its fields) and Leases (pkg/apis/coordination/validation/validation.go, and
/// the JSON decoding of LeaseSpec's typed fields, a 400 before any validation).
/// </summary>
internal static partial class BuiltinRules
{
    private const int DnsSubdomainMaxLength = 253;
    private const int DnsLabelMaxLength = 63;
    private const int ReportingInstanceLengthLimit = 128;
    private const int ActionLengthLimit = 128;
    private const int ReasonLengthLimit = 128;
    private const int NoteLengthLimit = 1024;
    private const string DnsSubdomainMessage = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string DnsLabelMessage = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string QualifiedNameMessage = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private static readonly string[] LeaseStrategies = ["OldestEmulationVersion"];

    /// <summary>LeaseSpec's fields and their Go types: what does not decode is a 400 naming the field and the type.</summary>
    private static readonly Dictionary<string, string> LeaseSpecFields = new(StringComparer.Ordinal)
    {
        ["holderIdentity"] = "string",
        ["leaseDurationSeconds"] = "int32",
        ["acquireTime"] = "MicroTime",
        ["renewTime"] = "MicroTime",
        ["leaseTransitions"] = "int32",
        ["strategy"] = "string",
        ["preferredHolder"] = "string",
    };

    /// <summary>Refuses, as the server's JSON decoding does (400 BadRequest), a Lease whose spec fields have the wrong type.</summary>
    public static void Decode(ApiResourceType type, JsonObject obj)
    {
        if (type is not { Group: "coordination.k8s.io", Plural: "leases" } || obj["spec"] is not JsonObject spec)
        {
            return;
        }

        foreach (var (field, value) in spec)
        {
            if (value is null || !LeaseSpecFields.TryGetValue(field, out var goType))
            {
                continue;
            }

            var problem = goType switch
            {
                "string" => value.GetValueKind() == JsonValueKind.String ? null : $"json: cannot unmarshal {JsonKind(value)} into Go struct field LeaseSpec.spec.{field} of type string",
                "int32" => value.GetValueKind() == JsonValueKind.Number && long.TryParse(value.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) && number is >= int.MinValue and <= int.MaxValue
                    ? null
                    : $"json: cannot unmarshal {JsonKind(value)} into Go struct field LeaseSpec.spec.{field} of type int32",
                _ => MicroTimeProblem(value),
            };
            if (problem is not null)
            {
                throw KubeApiException.BadRequest($"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {problem}");
            }
        }
    }

    /// <summary>The type's rules and the name's, in the server's order; empty when the object is valid.</summary>
    public static List<FieldError> Validate(ApiResourceType type, JsonObject obj)
    {
        var errors = new List<FieldError>();
        var name = obj["metadata"]?["name"]?.GetValue<string>() ?? "";
        switch (type)
        {
            case { Group: "", Plural: "events" }:
                ValidateEvent(obj, strict: false, errors);
                // The generic registry checks the name (a path segment) only once the type's own rules passed.
                if (errors.Count == 0)
                {
                    AddNameErrors(type, name, errors);
                }

                break;
            case { Group: "events.k8s.io", Plural: "events" }:
                ValidateEvent(AsCoreEvent(obj), strict: true, errors);
                break;
            case { Group: "coordination.k8s.io", Plural: "leases" }:
                AddNameErrors(type, name, errors);
                ValidateLeaseSpec(obj["spec"] as JsonObject, errors);
                break;
            default:
                AddNameErrors(type, name, errors);
                break;
        }

        return errors;
    }

    private static void AddNameErrors(ApiResourceType type, string name, List<FieldError> errors)
        => errors.AddRange(NameErrors(type, name).Select(message => Invalid("metadata.name", name, message)));

    /// <summary>metadata.name: Namespaces are DNS labels, core/v1 Events need only be a path segment, all else here
    /// (Secrets, ConfigMaps, events.k8s.io Events, Leases, custom resources) DNS subdomains.</summary>
    public static IEnumerable<string> NameErrors(ApiResourceType type, string name) => type switch
    {
        { Group: "", Plural: "namespaces" } => DnsLabelErrors(name),
        { Group: "", Plural: "events" } => PathSegmentErrors(name),
        _ => DnsSubdomainErrors(name),
    };

    public static IEnumerable<string> DnsSubdomainErrors(string value)
    {
        if (value.Length > DnsSubdomainMaxLength)
        {
            yield return $"must be no more than {DnsSubdomainMaxLength} characters";
        }

        if (!DnsSubdomain().IsMatch(value))
        {
            yield return RegexError(DnsSubdomainMessage, @"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*", "example.com");
        }
    }

    private static IEnumerable<string> DnsLabelErrors(string value)
    {
        if (value.Length > DnsLabelMaxLength)
        {
            yield return $"must be no more than {DnsLabelMaxLength} characters";
        }

        if (!DnsLabel().IsMatch(value))
        {
            yield return DnsSubdomain().IsMatch(value) ? "must not contain dots" : RegexError(DnsLabelMessage, "[a-z0-9]([-a-z0-9]*[a-z0-9])?", "my-name", "123-abc");
        }
    }

    // k8s.io/apimachinery/pkg/api/validation/path: IsValidPathSegmentName.
    private static IEnumerable<string> PathSegmentErrors(string name)
    {
        if (name is "." or "..")
        {
            yield return $"may not be '{name}'";
            yield break;
        }

        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                yield return $"may not contain '{illegal}'";
            }
        }
    }

    // content.IsLabelKey: an optional DNS-subdomain prefix and "/", then a name of at most 63 characters.
    private static IEnumerable<string> QualifiedNameErrors(string value)
    {
        var parts = value.Split('/');
        var name = parts[^1];
        if (parts.Length > 2)
        {
            yield return RegexError("a qualified name " + QualifiedNameMessage, "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
            yield break;
        }

        if (parts.Length == 2)
        {
            if (parts[0].Length == 0)
            {
                yield return "prefix part must be non-empty";
            }
            else
            {
                foreach (var message in DnsSubdomainErrors(parts[0]))
                {
                    yield return "prefix part " + message;
                }
            }
        }

        if (name.Length == 0)
        {
            yield return "name part must be non-empty";
        }
        else if (name.Length > DnsLabelMaxLength)
        {
            yield return $"name part must be no more than {DnsLabelMaxLength} characters";
        }

        if (!QualifiedName().IsMatch(name))
        {
            yield return "name part " + RegexError(QualifiedNameMessage, "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]", "MyName", "my.name", "123-abc");
        }
    }

    // ValidateEventCreate / ValidateEventUpdate: legacyValidateEvent for every Event, then the strict rules for events.k8s.io/v1.
    private static void ValidateEvent(JsonObject ev, bool strict, List<FieldError> errors)
    {
        var ns = ev["metadata"]?["namespace"]?.GetValue<string>() ?? "";
        var involvedNamespace = ev["involvedObject"]?["namespace"]?.GetValue<string>() ?? "";
        var hasEventTime = Text(ev, "eventTime").Length > 0;
        if (!hasEventTime)
        {
            // An old-style Event: its namespace is its object's (or "default" / none for cluster-scoped objects).
            if (involvedNamespace.Length == 0 ? ns is not ("" or "default") : ns != involvedNamespace)
            {
                errors.Add(Invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace"));
            }
        }
        else
        {
            if (involvedNamespace.Length == 0 && ns is not ("default" or "kube-system"))
            {
                errors.Add(Invalid("involvedObject.namespace", involvedNamespace, "does not match event.namespace"));
            }

            var controller = Text(ev, "reportingComponent");
            if (controller.Length == 0)
            {
                errors.Add(Required("reportingController"));
            }

            foreach (var message in QualifiedNameErrors(controller))
            {
                errors.Add(Invalid("reportingController", controller, message));
            }

            RequireShort(ev, "reportingInstance", "reportingInstance", ReportingInstanceLengthLimit, errors);
            RequireShort(ev, "action", "action", ActionLengthLimit, errors);
            RequireShort(ev, "reason", "reason", ReasonLengthLimit, errors);
            if (Text(ev, "message").Length > NoteLengthLimit)
            {
                errors.Add(Invalid("message", "", $"can have at most {NoteLengthLimit} characters"));
            }
        }

        foreach (var message in DnsSubdomainErrors(ns))
        {
            errors.Add(Invalid("namespace", ns, message));
        }

        if (!strict)
        {
            return;
        }

        var name = ev["metadata"]?["name"]?.GetValue<string>() ?? "";
        errors.AddRange(DnsSubdomainErrors(name).Select(message => Invalid("metadata.name", name, message)));
        if (ev["series"] is JsonObject series)
        {
            if ((series["count"]?.GetValue<int>() ?? 0) < 2)
            {
                errors.Add(Invalid("series.count", "", "should be at least 2"));
            }

            if (Text(series, "lastObservedTime").Length == 0)
            {
                errors.Add(Required("series.lastObservedTime"));
            }
        }

        if (!hasEventTime)
        {
            errors.Add(Required("eventTime"));
        }

        if (Text(ev, "type") is not ("Normal" or "Warning") and var type)
        {
            errors.Add(Invalid("type", "", $"has invalid value: {type}"));
        }

        foreach (var unset in new[] { "firstTimestamp", "lastTimestamp" })
        {
            if (Text(ev, unset).Length > 0)
            {
                errors.Add(Invalid(unset, "", "needs to be unset"));
            }
        }

        if ((ev["count"]?.GetValue<int>() ?? 0) != 0)
        {
            errors.Add(Invalid("count", "", "needs to be unset"));
        }

        if (Text(ev["source"] as JsonObject, "component").Length > 0 || Text(ev["source"] as JsonObject, "host").Length > 0)
        {
            errors.Add(Invalid("source", "", "needs to be unset"));
        }
    }

    private static void RequireShort(JsonObject ev, string property, string field, int limit, List<FieldError> errors)
    {
        var value = Text(ev, property);
        if (value.Length == 0)
        {
            errors.Add(Required(field));
        }

        if (value.Length > limit)
        {
            errors.Add(Invalid(field, "", $"can have at most {limit} characters"));
        }
    }

    /// <summary>An events.k8s.io/v1 Event as the internal core Event it is converted to (its fields' core names).</summary>
    private static JsonObject AsCoreEvent(JsonObject ev)
    {
        var core = ev.DeepClone().AsObject();
        foreach (var (from, to) in new[]
                 {
                     ("regarding", "involvedObject"), ("note", "message"), ("deprecatedSource", "source"), ("deprecatedFirstTimestamp", "firstTimestamp"),
                     ("deprecatedLastTimestamp", "lastTimestamp"), ("deprecatedCount", "count"), ("reportingController", "reportingComponent"),
                 })
        {
            if (core[from] is { } value)
            {
                core.Remove(from);
                core[to] = value;
            }
        }

        return core;
    }

    private static void ValidateLeaseSpec(JsonObject? spec, List<FieldError> errors)
    {
        if (spec is null)
        {
            return;
        }

        if (spec["leaseDurationSeconds"]?.GetValue<int>() is { } duration && duration <= 0)
        {
            errors.Add(new FieldError("spec.leaseDurationSeconds", "FieldValueInvalid", $"Invalid value: {duration}: must be greater than 0"));
        }

        if (spec["leaseTransitions"]?.GetValue<int>() is { } transitions && transitions < 0)
        {
            errors.Add(new FieldError("spec.leaseTransitions", "FieldValueInvalid", $"Invalid value: {transitions}: must be greater than or equal to 0"));
        }

        var strategy = spec["strategy"]?.GetValue<string>();
        if (strategy is not null)
        {
            // ValidateCoordinatedLeaseStrategy is called with spec.strategy and adds "strategy" again.
            if (!strategy.Contains('/', StringComparison.Ordinal))
            {
                if (!LeaseStrategies.Contains(strategy))
                {
                    errors.Add(new FieldError("spec.strategy.strategy", "FieldValueNotSupported",
                        $"Unsupported value: {Quote(strategy)}: supported values: {string.Join(", ", LeaseStrategies.Select(Quote))}"));
                }
            }
            else
            {
                foreach (var message in QualifiedNameErrors(strategy))
                {
                    errors.Add(Invalid("spec.strategy.strategy", strategy, message));
                }
            }
        }

        if (spec["preferredHolder"]?.GetValue<string>() is { Length: > 0 } && string.IsNullOrEmpty(strategy))
        {
            errors.Add(new FieldError("spec.preferredHolder", "FieldValueForbidden", "Forbidden: may only be specified if `strategy` is defined"));
        }
    }

    // metav1.MicroTime.UnmarshalJSON: null, or time.Parse(RFC3339Micro), which wants exactly six fractional digits.
    private static string? MicroTimeProblem(JsonNode value)
    {
        if (value.GetValueKind() != JsonValueKind.String)
        {
            return $"json: cannot unmarshal {JsonKind(value)} into Go value of type string";
        }

        var text = value.GetValue<string>();
        return MicroTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out _)
            ? null
            : $"parsing time {Quote(text)} as \"2006-01-02T15:04:05.000000Z07:00\": cannot parse {Quote(text)} as \"2006-01-02T15:04:05.000000Z07:00\"";
    }

    private static string JsonKind(JsonNode value) => value.GetValueKind() switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        _ => "object",
    };

    // k8s.io/apimachinery/pkg/util/validation.RegexError, spacing included.
    private static string RegexError(string message, string format, params string[] examples)
        => examples.Length == 0
            ? $"{message} (regex used for validation is '{format}')"
            : $"{message} (e.g. {string.Join(" or ", examples.Select(e => $"'{e}', "))}regex used for validation is '{format}')";

    private static string Text(JsonObject? obj, string property) => obj?[property] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : "";

    private static string Quote(string value) => JsonSerializer.Serialize(value);

    private static FieldError Invalid(string field, string value, string message) => new(field, "FieldValueInvalid", $"Invalid value: {Quote(value)}: {message}");

    private static FieldError Required(string field) => new(field, "FieldValueRequired", "Required value");

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex(@"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex(@"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex MicroTime();
}
