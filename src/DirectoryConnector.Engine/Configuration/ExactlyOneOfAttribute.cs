using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>On a class: exactly one of the named properties is set (all of its properties when none are named).
/// The CRD generator turns it into a schema rule that names the choices; <see cref="SpecValidator"/> enforces it for
/// the CLI and the operator (<see cref="Problem"/>). One place per rule.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExactlyOneOfAttribute(string message, params string[] propertyNames) : Attribute
{
    /// <summary>The error message; "{0}" becomes the choices, e.g. "ldap or file".</summary>
    public string Message { get; } = message;

    /// <summary>C# property names; empty means every property of the class.</summary>
    public IReadOnlyList<string> PropertyNames { get; } = propertyNames;

    /// <summary>The properties of <paramref name="type"/> the rule covers (public, serialized ones when none are named).</summary>
    public IReadOnlyList<PropertyInfo> PropertiesOf([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return PropertyNames.Count == 0
            ? [.. type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)]
            : [.. PropertyNames.Select(name => type.GetProperty(name) ?? throw new InvalidOperationException($"[ExactlyOneOf] on {type.Name} names {name}, which it does not have."))];
    }

    /// <summary><see cref="Message"/> with the choices' manifest names, e.g. "set exactly one source: ldap or file or okta".</summary>
    public string MessageFor([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type) =>
        string.Format(CultureInfo.InvariantCulture, Message, string.Join(" or ", PropertiesOf(type).Select(JsonName)));

    /// <summary>Why <paramref name="instance"/>, of <paramref name="type"/> (its own type, which the caller names so trimming
    /// keeps its properties), breaks the rule (none or several set, naming those set), or null. A blank string counts as not set.</summary>
    public string? Problem([DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, object instance)
    {
        ArgumentNullException.ThrowIfNull(type);
        ArgumentNullException.ThrowIfNull(instance);
        if (instance.GetType() != type)
        {
            throw new ArgumentException($"The instance is a {instance.GetType().Name}, not a {type.Name}.", nameof(instance));
        }

        var set = PropertiesOf(type)
            .Where(p => p.GetValue(instance) is { } value && (value is not string text || !string.IsNullOrWhiteSpace(text)))
            .Select(JsonName)
            .ToList();
        return set.Count switch
        {
            1 => null,
            0 => MessageFor(type),
            2 => $"{set[0]} and {set[1]} are both set: {MessageFor(type)}",
            _ => $"{string.Join(", ", set[..^1])} and {set[^1]} are set: {MessageFor(type)}",
        };
    }

    /// <summary>The property's name in a manifest: [JsonPropertyName] or camelCase.</summary>
    public static string JsonName(PropertyInfo property)
    {
        ArgumentNullException.ThrowIfNull(property);
        return property.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(property.Name);
    }
}
