namespace DirectoryConnector.TestSupport;

/// <summary>Where the repository is, seen from the test binaries (for committed samples, config/ and ../shared).</summary>
public static class Repository
{
    private static readonly Lazy<string?> FoundRoot = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DirectoryConnectorOperator.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    });

    /// <summary>The folder holding DirectoryConnectorOperator.sln, or null when the tests run outside a checkout.</summary>
    public static string? RootOrNull => FoundRoot.Value;

    public static string Root => FoundRoot.Value
        ?? throw new InvalidOperationException("DirectoryConnectorOperator.sln not found above " + AppContext.BaseDirectory);

    /// <summary>The committed DirectorySync CRD (config/crd), as `directory-connector crd` writes it.</summary>
    public static string DirectorySyncCrd => Path.Combine(Root, "config", "crd", "directoryconnector.dev_directorysyncs.yaml");
}
