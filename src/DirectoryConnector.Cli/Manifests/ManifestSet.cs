using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>A DirectorySync read from a manifest. <see cref="File"/> is the manifest it came from.</summary>
internal sealed record DirectorySyncManifest(string Name, string? Namespace, DirectorySyncSpec Spec, string File);

/// <summary>A Secret or ConfigMap read from a manifest, with its values decoded.</summary>
internal sealed record KeyValueManifest(string Kind, string Name, string? Namespace, IReadOnlyDictionary<string, string> Values);

/// <summary>Everything the -f files contained that the connector uses.</summary>
internal sealed class ManifestSet
{
    public List<DirectorySyncManifest> DirectorySyncs { get; } = [];

    public List<KeyValueManifest> Secrets { get; } = [];

    public List<KeyValueManifest> ConfigMaps { get; } = [];

    /// <summary>The one DirectorySync to run: the only one, or the one named by --name.</summary>
    public DirectorySyncManifest SelectDirectorySync(string? name)
    {
        if (DirectorySyncs.Count == 0)
        {
            throw new ManifestException("no DirectorySync found in the files given with -f (kind: DirectorySync, apiVersion: directoryconnector.dev/v1alpha1)");
        }

        // The same file given twice, or a copy left in another file: which one is meant is anyone's guess.
        if (DirectorySyncs.GroupBy(d => (d.Namespace, d.Name)).FirstOrDefault(same => same.Count() > 1) is { } twice)
        {
            throw new ManifestException($"DirectorySync {twice.Key.Name} is defined {twice.Count()} times (in {string.Join(", ", twice.Select(d => d.File))}): "
                + "give each manifest once, and each DirectorySync one name");
        }

        var names = string.Join(", ", DirectorySyncs.Select(d => d.Name));
        if (name is null)
        {
            return DirectorySyncs.Count == 1
                ? DirectorySyncs[0]
                : throw new ManifestException($"the files define {DirectorySyncs.Count} DirectorySyncs ({names}): choose one with --name");
        }

        var matches = DirectorySyncs.Where(d => d.Name == name).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new ManifestException($"--name: no DirectorySync named \"{name}\" in the files given with -f; found {names}"),
            _ => throw new ManifestException($"--name: {matches.Count} DirectorySyncs are named \"{name}\" (in different namespaces); give one of them per run"),
        };
    }
}
