namespace DirectoryConnector.Cli.Manifests;

/// <summary>The manifests given with -f cannot be used. Each line of <see cref="Problems"/> names the file and field.</summary>
internal sealed class ManifestException(IReadOnlyList<string> problems) : Exception(string.Join(Environment.NewLine, problems))
{
    public ManifestException(string problem)
        : this([problem])
    {
    }

    public IReadOnlyList<string> Problems { get; } = problems;
}
