using System.Collections;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Crd;

/// <summary>
/// Builds the DirectorySync CustomResourceDefinition from the C# types, so the CRD in config/crd/ never disagrees with
/// what the operator deserializes. Names follow System.Text.Json camelCase; nullable properties are optional;
/// [Required] makes a key required; [Description] becomes the field description; property initializers become defaults;
/// enums list their JsonStringEnumMemberName values. Constraints are attributes on the spec types: [Range], [RegularExpression], [StringLength] (minLength/maxLength; int.MaxValue: no maximum), [AllowedValues], [MinimumDuration] (a CEL rule), [CliOnly] (a CEL rule on the enclosing object refusing the field) and, on a class, [ExactlyOneOf].
/// </summary>
public static class CrdGenerator
{
    public const string CrdName = $"{DirectorySync.Plural}.{DirectorySync.Group}";

    // What the schema reads of a type: its properties, an instance for the defaults, and enum members.
    private const DynamicallyAccessedMemberTypes SchemaMembers = DynamicallyAccessedMemberTypes.PublicProperties
        | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor | DynamicallyAccessedMemberTypes.PublicFields;

    private const string RootedTypes = "Property types are the spec and status types of DirectoryConnector.Engine and "
        + "DirectoryConnector.Operator (and strings, numbers, enums and lists of them), assemblies the AOT publish roots "
        + "(TrimmerRootAssembly), so their public properties, constructors and enum fields are kept.";

    /// <summary>The file the CRD is committed as, relative to the repository root.</summary>
    public const string CommittedPath = "config/crd/directoryconnector.dev_directorysyncs.yaml";

    /// <summary>The command that regenerates <see cref="CommittedPath"/>.</summary>
    public const string RegenerateCommand =
        "dotnet run --project src/DirectoryConnector.Cli -- crd > " + CommittedPath;

    /// <summary>The Helm chart's copy of the CRD, relative to the repository root.</summary>
    public const string ChartTemplatePath = "charts/directory-connector-operator/templates/crds/directorysyncs.yaml";

    /// <summary>The command that regenerates <see cref="ChartTemplatePath"/>.</summary>
    public const string RegenerateChartCommand =
        "dotnet run --project src/DirectoryConnector.Cli -- crd --helm > " + ChartTemplatePath;

    /// <summary>
    /// The CRD as the chart's template: behind crds.enabled, with the release labels, and kept on uninstall unless
    /// crds.keep is false (helm.sh/resource-policy: keep), since deleting a CRD deletes every DirectorySync.
    /// </summary>
    public static string GenerateHelmTemplate()
    {
        var yaml = KubernetesObjectYaml.Serialize(Generate()).TrimEnd().Replace("{{", "{{ \"{{\" }}", StringComparison.Ordinal);
        var nameLine = $"  name: {CrdName}\n";
        var at = yaml.IndexOf(nameLine, StringComparison.Ordinal) + nameLine.Length;
        return "{{- if .Values.crds.enabled }}\n" +
            "# Generated from the C# types by `directory-connector crd --helm`; do not edit by hand.\n" +
            yaml[..at] +
            "  labels:\n" +
            "    {{- include \"dco.labels\" . | nindent 4 }}\n" +
            "  {{- if .Values.crds.keep }}\n" +
            "  annotations:\n" +
            "    helm.sh/resource-policy: keep\n" +
            "  {{- end }}\n" +
            yaml[at..] + "\n" +
            "{{- end }}\n";
    }

    public static string GenerateYaml() =>
        "# Generated from the C# types by `directory-connector crd`; do not edit by hand.\n" +
        KubernetesObjectYaml.Serialize(Generate()).TrimEnd() + "\n";

    public static V1CustomResourceDefinition Generate() => new()
    {
        ApiVersion = "apiextensions.k8s.io/v1",
        Kind = "CustomResourceDefinition",
        Metadata = new V1ObjectMeta { Name = CrdName },
        Spec = new V1CustomResourceDefinitionSpec
        {
            Group = DirectorySync.Group,
            Scope = "Namespaced",
            Names = new V1CustomResourceDefinitionNames
            {
                Kind = DirectorySync.KindName,
                ListKind = DirectorySync.KindName + "List",
                Plural = DirectorySync.Plural,
                Singular = DirectorySync.KindName.ToLowerInvariant(),
                ShortNames = ["dsync"],
                Categories = ["bitwarden"],
            },
            Versions =
            [
                new V1CustomResourceDefinitionVersion
                {
                    Name = DirectorySync.Version,
                    Served = true,
                    Storage = true,
                    Subresources = new V1CustomResourceSubresources { Status = new Dictionary<string, object>() },
                    AdditionalPrinterColumns = PrinterColumns(),
                    Schema = new V1CustomResourceValidation { OpenAPIV3Schema = RootSchema() },
                },
            ],
        },
    };

    private static List<V1CustomResourceColumnDefinition> PrinterColumns() =>
    [
        Column("Source", "string", ".status.sourceType", "The kind of directory source."),
        Column("Interval", "string", ".spec.interval", "How often the operator syncs."),
        Column("Ready", "string", ".status.conditions[?(@.type==\"Ready\")].status", "Whether the last sync succeeded."),
        Column("Status", "string", ".status.conditions[?(@.type==\"Ready\")].reason", "Why the resource is (not) ready."),
        Column("Users", "integer", ".status.userCount", "Users sent by the last sync."),
        Column("Groups", "integer", ".status.groupCount", "Groups sent by the last sync."),
        Column("Last Sync", "date", ".status.lastSyncTime", "When the last sync attempt completed."),
        Column("Age", "date", ".metadata.creationTimestamp", null),
    ];

    private static V1CustomResourceColumnDefinition Column(string name, string type, string path, string? description) =>
        new() { Name = name, Type = type, JsonPath = path, Description = description };

    private static V1JSONSchemaProps RootSchema()
    {
        var spec = ObjectSchema(typeof(DirectorySyncSpec), emitDefaults: true);
        var status = ObjectSchema(typeof(DirectorySyncStatus), emitDefaults: false);
        return new V1JSONSchemaProps
        {
            Type = "object",
            Description = "DirectorySync keeps a Bitwarden organization's members and groups in sync with a company directory.",
            Required = ["spec"],
            Properties = new Dictionary<string, V1JSONSchemaProps>
            {
                ["apiVersion"] = new()
                {
                    Type = "string",
                    Description = "APIVersion defines the versioned schema of this representation of an object.",
                },
                ["kind"] = new()
                {
                    Type = "string",
                    Description = "Kind is a string value representing the REST resource this object represents.",
                },
                ["metadata"] = new() { Type = "object" },
                ["spec"] = spec,
                ["status"] = status,
            },
        };
    }

    private static V1JSONSchemaProps ObjectSchema([DynamicallyAccessedMembers(SchemaMembers)] Type type, bool emitDefaults)
    {
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Description = type.GetCustomAttribute<DescriptionAttribute>()?.Description,
            Properties = new Dictionary<string, V1JSONSchemaProps>(),
        };
        var required = new List<string>();
        // An instance gives the property initializers, which are the defaults the engine applies anyway.
        var instance = emitDefaults ? Activator.CreateInstance(type) : null;

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<JsonIgnoreAttribute>() is not null || !property.CanWrite)
            {
                continue;
            }

            var name = JsonName(property);
            var propertySchema = PropertySchema(property, emitDefaults);
            propertySchema.Description = property.GetCustomAttribute<DescriptionAttribute>()?.Description
                ?? propertySchema.Description;
            if (propertySchema.Description is null)
            {
                throw new InvalidOperationException($"{type.Name}.{property.Name} has no [Description]; kubectl explain needs one.");
            }

            if (property.GetCustomAttribute<RequiredAttribute>() is not null)
            {
                required.Add(name);
            }
            else if (instance is not null)
            {
                propertySchema.DefaultProperty = DefaultValue(property.GetValue(instance));
            }

            ApplyDataAnnotations(property, propertySchema);
            schema.Properties[name] = propertySchema;
        }

        schema.Required = required.Count > 0 ? required : null;
        if (type.GetCustomAttribute<ExactlyOneOfAttribute>() is { } oneOf)
        {
            ApplyExactlyOneOf(type, oneOf, schema);
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetCustomAttribute<CliOnlyAttribute>() is { } cliOnly)
            {
                schema.XKubernetesValidations = [.. schema.XKubernetesValidations ?? [], new V1ValidationRule
                {
                    Rule = $"!has(self.{JsonName(property)})",
                    Message = cliOnly.Message,
                }];
            }
        }

        return schema;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = RootedTypes)]
    private static V1JSONSchemaProps PropertySchema(PropertyInfo property, bool emitDefaults)
    {
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        if (type == typeof(IList<V1Condition>))
        {
            return ConditionsSchema();
        }

        return TypeSchema(type, emitDefaults);
    }

    [UnconditionalSuppressMessage("Trimming", "IL2062", Justification = RootedTypes)]
    private static V1JSONSchemaProps TypeSchema([DynamicallyAccessedMembers(SchemaMembers)] Type type, bool emitDefaults)
    {
        if (type == typeof(string))
        {
            return new() { Type = "string" };
        }

        if (type == typeof(bool))
        {
            return new() { Type = "boolean" };
        }

        if (type == typeof(int))
        {
            return new() { Type = "integer", Format = "int32" };
        }

        if (type == typeof(long))
        {
            return new() { Type = "integer", Format = "int64" };
        }

        if (type == typeof(DateTime) || type == typeof(DateTimeOffset))
        {
            return new() { Type = "string", Format = "date-time" };
        }

        if (type.IsEnum)
        {
            return new() { Type = "string", EnumProperty = [.. EnumValues(type)] };
        }

        if (type != typeof(string) && type.IsGenericType && typeof(IEnumerable).IsAssignableFrom(type))
        {
            return new() { Type = "array", Items = TypeSchema(type.GetGenericArguments()[0], emitDefaults) };
        }

        if (type.IsClass)
        {
            return ObjectSchema(type, emitDefaults);
        }

        throw new NotSupportedException($"CrdGenerator cannot map {type}.");
    }

    [UnconditionalSuppressMessage("Trimming", "IL2072", Justification = RootedTypes)]
    private static object? DefaultValue(object? value) => value switch
    {
        null => null,
        string text when text.Length == 0 => null,
        string or bool or int or long => value,
        Enum enumValue => EnumValue(enumValue.GetType(), enumValue.ToString()),
        IEnumerable => null,
        // Objects default to {} so the server fills their own defaults when they are left out.
        _ when value.GetType().IsClass => new Dictionary<string, object>(),
        _ => null,
    };

    private static IEnumerable<string> EnumValues([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type enumType) =>
        enumType.GetFields(BindingFlags.Public | BindingFlags.Static).Select(field => EnumValue(enumType, field.Name));

    private static string EnumValue([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicFields)] Type enumType, string memberName) =>
        enumType.GetField(memberName)!.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
        ?? JsonNamingPolicy.CamelCase.ConvertName(memberName);

    private static string JsonName(PropertyInfo property) => ExactlyOneOfAttribute.JsonName(property);

    private static void ApplyDataAnnotations(PropertyInfo property, V1JSONSchemaProps schema)
    {
        if (property.GetCustomAttribute<RangeAttribute>() is { } range)
        {
            schema.Minimum = Convert.ToDouble(range.Minimum, System.Globalization.CultureInfo.InvariantCulture);
            schema.Maximum = Convert.ToDouble(range.Maximum, System.Globalization.CultureInfo.InvariantCulture);
        }

        if (property.GetCustomAttribute<RegularExpressionAttribute>() is { } regex)
        {
            schema.Pattern = regex.Pattern;
        }

        // [StringLength], not [MinLength]/[MaxLength], whose constructors are not trim-safe; int.MaxValue means no maximum.
        if (property.GetCustomAttribute<StringLengthAttribute>() is { } length)
        {
            if (length.MinimumLength > 0)
            {
                schema.MinLength = length.MinimumLength;
            }

            if (length.MaximumLength < int.MaxValue)
            {
                schema.MaxLength = length.MaximumLength;
            }
        }

        if (property.GetCustomAttribute<AllowedValuesAttribute>() is { } allowed)
        {
            schema.EnumProperty = [.. allowed.Values];
        }

        if (property.GetCustomAttribute<MinimumDurationAttribute>() is { } minimum)
        {
            schema.XKubernetesValidations =
            [
                new V1ValidationRule
                {
                    Rule = $"duration(self) >= duration('{minimum.Minimum}')",
                    Message = $"{JsonName(property)} must be at least {minimum.Minimum}",
                },
            ];
        }
    }

    // Exactly one property set: a CEL rule with a message naming the choices; when the rule covers every property,
    // min/maxProperties as well, for clients that only check structure.
    private static void ApplyExactlyOneOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, ExactlyOneOfAttribute oneOf, V1JSONSchemaProps schema)
    {
        if (oneOf.PropertyNames.Count == 0)
        {
            schema.MinProperties = 1;
            schema.MaxProperties = 1;
        }

        schema.XKubernetesValidations =
        [
            new V1ValidationRule
            {
                Rule = string.Join(" + ", oneOf.PropertiesOf(type).Select(property => $"(has(self.{JsonName(property)}) ? 1 : 0)")) + " == 1",
                Message = oneOf.MessageFor(type),
            },
        ];
    }

    // metav1.Condition, as every kstatus-aware tool expects it.
    private static V1JSONSchemaProps ConditionsSchema() => new()
    {
        Type = "array",
        XKubernetesListType = "map",
        XKubernetesListMapKeys = ["type"],
        Items = new V1JSONSchemaProps
        {
            Type = "object",
            Description = "Condition contains details for one aspect of the current state of this API Resource.",
            Required = ["lastTransitionTime", "message", "reason", "status", "type"],
            Properties = new Dictionary<string, V1JSONSchemaProps>
            {
                ["lastTransitionTime"] = new()
                {
                    Type = "string",
                    Format = "date-time",
                    Description = "The last time the condition transitioned from one status to another.",
                },
                ["message"] = new()
                {
                    Type = "string",
                    MaxLength = 32768,
                    Description = "A human readable message indicating details about the transition.",
                },
                ["observedGeneration"] = new()
                {
                    Type = "integer",
                    Format = "int64",
                    Minimum = 0,
                    Description = "The metadata.generation the condition was set based upon.",
                },
                ["reason"] = new()
                {
                    Type = "string",
                    MinLength = 1,
                    MaxLength = 1024,
                    Pattern = "^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
                    Description = "A programmatic identifier (CamelCase) of the reason for the condition's last transition.",
                },
                ["status"] = new()
                {
                    Type = "string",
                    EnumProperty = ["True", "False", "Unknown"],
                    Description = "Status of the condition: True, False or Unknown.",
                },
                ["type"] = new()
                {
                    Type = "string",
                    MaxLength = 316,
                    Pattern = "^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
                    Description = "Type of condition in CamelCase: Ready, Reconciling or Stalled.",
                },
            },
        },
    };
}
