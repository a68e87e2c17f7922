using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using k8s.Models;

namespace DirectoryConnector.Operator.Crd;

/// <summary>
/// Schema checks the C# types cannot express, keyed by type and property (nameof keeps them in step with renames).
/// Every rule here rejects something the engine cannot run, with a message that names the field.
/// </summary>
internal static class CrdValidations
{
    // A Go duration as Kubernetes tools write it: 15m, 1h30m, 90s.
    public const string DurationPattern = "^([0-9]+(\\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$";

    public const string HttpUrlPattern = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";

    public const string GuidPattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

    // DNS-1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name.
    public const string ObjectNamePattern = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    public const string DataKeyPattern = "^[-._a-zA-Z0-9]+$";

    public const string MinimumInterval = "1m";

    public static void Apply(Type type, V1JSONSchemaProps schema)
    {
        if (type == typeof(DirectorySyncSpec))
        {
            var interval = Property(schema, nameof(DirectorySyncSpec.Interval));
            interval.Pattern = DurationPattern;
            interval.MaxLength = 64;
            interval.XKubernetesValidations =
            [
                new V1ValidationRule
                {
                    Rule = $"duration(self) >= duration('{MinimumInterval}')",
                    Message = $"interval must be at least {MinimumInterval}",
                },
            ];
        }
        else if (type == typeof(BitwardenSpec))
        {
            Url(Property(schema, nameof(BitwardenSpec.ServerUrl)), optional: false);
            // Optional overrides: an empty string means "derive it", as the samples write them.
            Url(Property(schema, nameof(BitwardenSpec.ApiUrl)), optional: true);
            Url(Property(schema, nameof(BitwardenSpec.IdentityUrl)), optional: true);
            Property(schema, nameof(BitwardenSpec.OrganizationId)).Pattern = $"^({GuidPattern[1..^1]})?$";
        }
        else if (type == typeof(ApiKeySecretRef))
        {
            ObjectName(Property(schema, nameof(ApiKeySecretRef.Name)));
            DataKey(Property(schema, nameof(ApiKeySecretRef.ClientIdKey)));
            DataKey(Property(schema, nameof(ApiKeySecretRef.ClientSecretKey)));
        }
        else if (type == typeof(SecretKeyRef))
        {
            ObjectName(Property(schema, nameof(SecretKeyRef.Name)));
            DataKey(Property(schema, nameof(SecretKeyRef.Key)));
        }
        else if (type == typeof(ConfigMapKeyRef))
        {
            ObjectName(Property(schema, nameof(ConfigMapKeyRef.Name)));
            DataKey(Property(schema, nameof(ConfigMapKeyRef.Key)));
        }
        else if (type == typeof(SourceSpec))
        {
            OneOf(schema, "source");
        }
        else if (type == typeof(LdapSourceSpec))
        {
            var port = Property(schema, nameof(LdapSourceSpec.Port));
            port.Minimum = 1;
            port.Maximum = 65535;
            foreach (var name in new[] { nameof(LdapSourceSpec.Hostname), nameof(LdapSourceSpec.RootPath), nameof(LdapSourceSpec.Username) })
            {
                Property(schema, name).MinLength = 1;
            }
        }
        else if (type == typeof(FileSourceSpec))
        {
            var path = JsonNamingPolicy.CamelCase.ConvertName(nameof(FileSourceSpec.Path));
            var configMap = JsonNamingPolicy.CamelCase.ConvertName(nameof(FileSourceSpec.ConfigMapRef));
            schema.XKubernetesValidations =
            [
                new V1ValidationRule
                {
                    Rule = $"has(self.{path}) != has(self.{configMap})",
                    Message = $"set exactly one of {path} (CLI) or {configMap} (operator)",
                },
            ];
        }
    }

    // Exactly one property set: min/maxProperties for the structural check, a CEL rule for a message naming the choices.
    private static void OneOf(V1JSONSchemaProps schema, string what)
    {
        var names = schema.Properties.Keys.ToList();
        schema.MinProperties = 1;
        schema.MaxProperties = 1;
        schema.XKubernetesValidations =
        [
            new V1ValidationRule
            {
                Rule = string.Join(" + ", names.Select(name => $"(has(self.{name}) ? 1 : 0)")) + " == 1",
                Message = $"set exactly one {what}: {string.Join(" or ", names)}",
            },
        ];
    }

    private static void Url(V1JSONSchemaProps url, bool optional)
    {
        url.Pattern = optional ? $"^({HttpUrlPattern[1..^1]})?$" : HttpUrlPattern;
        url.MaxLength = 2048;
    }

    private static void ObjectName(V1JSONSchemaProps name)
    {
        name.Pattern = ObjectNamePattern;
        name.MinLength = 1;
        name.MaxLength = 253;
    }

    private static void DataKey(V1JSONSchemaProps key)
    {
        key.Pattern = DataKeyPattern;
        key.MinLength = 1;
        key.MaxLength = 253;
    }

    private static V1JSONSchemaProps Property(V1JSONSchemaProps schema, string propertyName) =>
        schema.Properties[JsonNamingPolicy.CamelCase.ConvertName(propertyName)];
}
