using System.Collections;
using System.Globalization;
using System.Text.Json.Serialization.Metadata;
using k8s;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;
using YamlDotNet.Serialization.NamingConventions;
using YamlDotNet.Serialization.TypeInspectors;

namespace DirectoryConnector.Operator.Crd;

/// <summary>
/// Writes a KubernetesClient model as <c>KubernetesYaml.Serialize</c> does, byte for byte, without its reflection (its
/// static constructor orders properties by metadata token, which Native AOT does not support): the object graph is
/// walked through KubernetesClient's compile-time JSON contract (names, order, getters) and emitted event by event
/// through the emitters KubernetesYaml chains (StringQuotingEmitter, FloatEmitter, YamlDotNet's type assigning).
/// </summary>
public static class KubernetesObjectYaml
{
    // KubernetesYaml puts these first in a type that has apiVersion or kind; the rest keep the declaration order.
    private static readonly string[] TypeMetaFirst = ["apiVersion", "kind", "metadata"];

    private static readonly FloatEmitter Events = new FloatEmitter(new StringQuotingEmitter(new TypeAssigningEventEmitter(new WriterEventEmitter(),
        new Dictionary<Type, TagName>(), quoteNecessaryStrings: false, quoteYaml1_1Strings: false, ScalarStyle.Any, YamlFormatter.Default,
        NullNamingConvention.Instance,
        // Only strings, booleans and numbers reach it: no enum or member is ever looked up.
        new CompositeTypeInspector())));

    /// <summary>The YAML of <paramref name="value"/>, a KubernetesClient model (or a dictionary, list or scalar).</summary>
    public static string Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        Emit(value, emitter);
        // No document or stream end, as KubernetesYaml: the text then ends without the final line break.
        return text.ToString();
    }

    private static void Emit(object value, IEmitter emitter)
    {
        switch (value)
        {
            case string or bool or int or long or double or float:
                Events.Emit(new ScalarEventInfo(new ObjectDescriptor(value, value.GetType(), value.GetType())), emitter);
                break;
            case IDictionary dictionary:
                var mapping = new ObjectDescriptor(dictionary, dictionary.GetType(), dictionary.GetType());
                Events.Emit(new MappingStartEventInfo(mapping), emitter);
                foreach (DictionaryEntry entry in dictionary)
                {
                    if (entry.Value is not null)
                    {
                        Emit(entry.Key, emitter);
                        Emit(entry.Value, emitter);
                    }
                }

                Events.Emit(new MappingEndEventInfo(mapping), emitter);
                break;
            case IEnumerable items:
                var sequence = new ObjectDescriptor(items, items.GetType(), items.GetType());
                Events.Emit(new SequenceStartEventInfo(sequence), emitter);
                foreach (var item in items)
                {
                    // KubernetesYaml writes a null item as an empty scalar; no model here has one.
                    Emit(item ?? throw new NotSupportedException("a null list item"), emitter);
                }

                Events.Emit(new SequenceEndEventInfo(sequence), emitter);
                break;
            default:
                EmitObject(value, emitter);
                break;
        }
    }

    private static void EmitObject(object value, IEmitter emitter)
    {
        var contract = SourceGenerationContext.Default.GetTypeInfo(value.GetType())
            ?? throw new NotSupportedException($"{value.GetType()} is not a KubernetesClient model.");
        if (contract.Kind != JsonTypeInfoKind.Object)
        {
            throw new NotSupportedException($"{value.GetType()} is not written as an object.");
        }

        IEnumerable<JsonPropertyInfo> properties = contract.Properties;
        if (contract.Properties.Any(p => p.Name is "apiVersion" or "kind"))
        {
            properties = [.. TypeMetaFirst.SelectMany(name => contract.Properties.Where(p => p.Name == name)),
                .. contract.Properties.Where(p => !TypeMetaFirst.Contains(p.Name))];
        }

        var mapping = new ObjectDescriptor(value, value.GetType(), value.GetType());
        Events.Emit(new MappingStartEventInfo(mapping), emitter);
        foreach (var property in properties)
        {
            if (property.Get?.Invoke(value) is { } propertyValue)
            {
                Emit(property.Name, emitter);
                Emit(propertyValue, emitter);
            }
        }

        Events.Emit(new MappingEndEventInfo(mapping), emitter);
    }

    /// <summary>KubernetesYaml's FloatEmitter (internal there): a float always shows a decimal (1.0, not 1).</summary>
    private sealed class FloatEmitter(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            switch (eventInfo.Source.Value)
            {
                case double d:
                    emitter.Emit(new Scalar(d.ToString("0.0######################", CultureInfo.InvariantCulture)));
                    break;
                case float f:
                    emitter.Emit(new Scalar(f.ToString("0.0######################", CultureInfo.InvariantCulture)));
                    break;
                default:
                    base.Emit(eventInfo, emitter);
                    break;
            }
        }
    }
}
