using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace DirectoryConnector.Cli.Migration;

/// <summary>Writes a conversion as the multi-document YAML `kubectl apply -f` and `directory-connector test -f`
/// take: the DirectorySync, then its Secrets, each with comments saying what to put where.</summary>
internal static class MigrationManifestWriter
{
    private static readonly ISerializer Yaml = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new MultilineLiteralEmitter(next))
        .Build();

    public static string Write(BwdcConversion conversion, string? namespaceName, string dataJsonPath)
    {
        ArgumentNullException.ThrowIfNull(conversion);
        var text = new StringBuilder();
        text.Append("# Converted by `directory-connector convert-bwdc` from ").Append(Path.GetFileName(dataJsonPath)).Append(" (the original Bitwarden Directory Connector's settings).\n")
            .Append("# Replace the REPLACE-WITH-... placeholders in the Secrets below (or create those Secrets with kubectl and drop them here),\n")
            .Append("# then check what a sync would send: directory-connector test -f <this file>\n");
        text.Append(Document(new JsonObject
        {
            ["apiVersion"] = "directoryconnector.dev/v1alpha1",
            ["kind"] = "DirectorySync",
            ["metadata"] = Metadata(conversion.Name, namespaceName),
            ["spec"] = conversion.Spec.DeepClone(),
        }));
        foreach (var secret in conversion.Secrets)
        {
            text.Append("---\n");
            foreach (var line in secret.Comment)
            {
                text.Append("# ").Append(line).Append('\n');
            }

            var data = new JsonObject();
            foreach (var (key, value) in secret.StringData)
            {
                data[key] = value;
            }

            text.Append(Document(new JsonObject
            {
                ["apiVersion"] = "v1",
                ["kind"] = "Secret",
                ["metadata"] = Metadata(secret.Name, namespaceName),
                ["type"] = "Opaque",
                ["stringData"] = data,
            }));
        }

        return text.ToString();
    }

    private static JsonObject Metadata(string name, string? namespaceName)
    {
        var metadata = new JsonObject { ["name"] = name };
        if (namespaceName is not null)
        {
            metadata["namespace"] = namespaceName;
        }

        return metadata;
    }

    private static string Document(JsonObject json) => Yaml.Serialize(Plain(json));

    // YamlDotNet serializes dictionaries, lists and scalars in order; JsonNode is none of those.
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray array => array.Select(Plain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => long.Parse(value.ToJsonString(), System.Globalization.CultureInfo.InvariantCulture),
            _ => value.GetValue<string>(),
        },
        _ => throw new InvalidOperationException("unexpected JSON node"),
    };

    /// <summary>PEM certificates and JSON keys as literal blocks (<c>|</c>), readable and pasteable.</summary>
    private sealed class MultilineLiteralEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
