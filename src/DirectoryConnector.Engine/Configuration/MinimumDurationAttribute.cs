namespace DirectoryConnector.Engine.Configuration;

/// <summary>On a duration string (<see cref="DurationFormat"/>): it must be at least <see cref="Minimum"/>.
/// The CRD generator turns it into a CEL rule; <see cref="SpecValidator"/> enforces it for the CLI. One place per rule.</summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class MinimumDurationAttribute(string minimum) : Attribute
{
    /// <summary>A duration as written in a manifest, e.g. "1m".</summary>
    public string Minimum { get; } = minimum;

    public TimeSpan MinimumValue => DurationFormat.TryParse(Minimum, out var value)
        ? value
        : throw new InvalidOperationException($"[MinimumDuration(\"{Minimum}\")] is not a duration.");
}
