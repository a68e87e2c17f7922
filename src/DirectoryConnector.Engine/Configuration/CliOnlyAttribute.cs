namespace DirectoryConnector.Engine.Configuration;

/// <summary>On a property the CLI reads but a cluster must refuse (spec.source.file.path: a file of the host that runs
/// the sync). The CRD generator turns it into a CEL rule on the enclosing object, so the API server rejects the field
/// at admission with <see cref="Message"/>; the operator refuses it again at run time, since a CRD rule cannot know
/// which host reads the spec and an old CRD may still be installed.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class CliOnlyAttribute(string message) : Attribute
{
    /// <summary>What the API server answers: why the field is refused and what to set instead.</summary>
    public string Message { get; } = message;
}
