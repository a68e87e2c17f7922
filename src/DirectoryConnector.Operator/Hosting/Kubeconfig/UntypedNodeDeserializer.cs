using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Reads a mapping or sequence where the model says only <c>object</c> (extensions, preferences) as the reflection
/// deserializer does: a <see cref="Dictionary{TKey,TValue}"/> of object to object, or a <see cref="List{T}"/> of
/// object, whose keys, values and items are read as object again (scalars by YamlDotNet's own untyped scalar rules).
/// The static object factory cannot build those containers itself.
/// </summary>
internal sealed class UntypedNodeDeserializer : INodeDeserializer
{
    public bool Deserialize(IParser reader, Type expectedType, Func<IParser, Type, object?> nestedObjectDeserializer, out object? value, ObjectDeserializer rootDeserializer)
    {
        value = null;
        // YamlDotNet's container type resolver may already have turned object into these for a mapping or sequence.
        if (expectedType != typeof(object) && expectedType != typeof(Dictionary<object, object>) && expectedType != typeof(List<object>))
        {
            return false;
        }

        if (reader.TryConsume<MappingStart>(out _))
        {
            var mapping = new Dictionary<object, object?>();
            while (!reader.TryConsume<MappingEnd>(out _))
            {
                var key = nestedObjectDeserializer(reader, typeof(object))
                    ?? throw new YamlException(reader.Current?.Start ?? Mark.Empty, reader.Current?.End ?? Mark.Empty, "A mapping key is null.");
                mapping[key] = nestedObjectDeserializer(reader, typeof(object));
            }

            value = mapping;
            return true;
        }

        if (reader.TryConsume<SequenceStart>(out _))
        {
            var sequence = new List<object?>();
            while (!reader.TryConsume<SequenceEnd>(out _))
            {
                sequence.Add(nestedObjectDeserializer(reader, typeof(object)));
            }

            value = sequence;
            return true;
        }

        return false;
    }
}
