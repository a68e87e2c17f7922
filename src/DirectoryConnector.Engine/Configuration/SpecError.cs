namespace DirectoryConnector.Engine.Configuration;

/// <summary>One problem in a spec. <paramref name="Path"/> is the field as written in the manifest, e.g. <c>spec.source.ldap.port</c>.</summary>
public sealed record SpecError(string Path, string Message)
{
    public override string ToString() => $"{Path}: {Message}";
}
