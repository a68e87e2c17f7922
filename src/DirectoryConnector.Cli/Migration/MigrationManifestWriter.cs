using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization.TypeInspectors;

namespace DirectoryConnector.Cli.Migration;

/// <summary>Writes a conversion as the multi-document YAML `kubectl apply -f` and `directory-connector test -f`
/// take: the DirectorySync, then its Secrets, each with comments saying what to put where.</summary>
internal static class MigrationManifestWriter
{
    /// <summary>The serializer's emitters as SerializerBuilder().WithQuotingNecessaryStrings() chained them, under ours.</summary>
    private static readonly IEventEmitter Events = new MultilineLiteralEmitter(new TypeAssigningEventEmitter(new WriterEventEmitter(),
        new Dictionary<Type, TagName>(), quoteNecessaryStrings: true, quoteYaml1_1Strings: false, ScalarStyle.Any, YamlFormatter.Default,
        NullNamingConvention.Instance,
        // Only strings, booleans and integers: no enum or member is ever looked up.
        new CompositeTypeInspector()));

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

    /// <summary>The document as YamlDotNet's serializer (quoting necessary strings, multi-line strings as literal blocks)
    /// wrote the dictionaries, lists and scalars it was given, event by event through the same emitters: its object
    /// graph traversal is reflection, which a Native AOT executable does not have.</summary>
    internal static string Document(JsonObject json)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(text, EmitterSettings.Default);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(json, Events, emitter);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    private static void Emit(JsonNode? node, IEventEmitter events, IEmitter emitter)
    {
        switch (node)
        {
            case JsonObject obj:
                var mapping = new ObjectDescriptor(obj, typeof(Dictionary<string, object>), typeof(object));
                events.Emit(new MappingStartEventInfo(mapping), emitter);
                foreach (var (key, value) in obj)
                {
                    events.Emit(new ScalarEventInfo(new ObjectDescriptor(key, typeof(string), typeof(string))), emitter);
                    Emit(value, events, emitter);
                }

                events.Emit(new MappingEndEventInfo(mapping), emitter);
                break;
            case JsonArray array:
                var sequence = new ObjectDescriptor(array, typeof(List<object>), typeof(object));
                events.Emit(new SequenceStartEventInfo(sequence), emitter);
                foreach (var item in array)
                {
                    Emit(item, events, emitter);
                }

                events.Emit(new SequenceEndEventInfo(sequence), emitter);
                break;
            default:
                var scalar = Scalar(node);
                events.Emit(new ScalarEventInfo(new ObjectDescriptor(scalar, scalar?.GetType() ?? typeof(object), typeof(object))), emitter);
                break;
        }
    }

    private static object? Scalar(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture),
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
