namespace DirectoryConnector.Engine.Configuration;

/// <summary>On a class: exactly one of the named properties is set (all of its properties when none are named).
/// The CRD generator turns it into a schema rule that names the choices; the spec validator enforces it for the CLI.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class ExactlyOneOfAttribute(string message, params string[] propertyNames) : Attribute
{
    /// <summary>The error message; "{0}" becomes the choices, e.g. "ldap or file".</summary>
    public string Message { get; } = message;

    /// <summary>C# property names; empty means every property of the class.</summary>
    public IReadOnlyList<string> PropertyNames { get; } = propertyNames;
}
