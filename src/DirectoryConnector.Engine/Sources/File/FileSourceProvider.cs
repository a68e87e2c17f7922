using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Engine.Sources.File;

/// <summary>spec.source.file: a directory exported as LDIF or JSON, from a path (CLI) or a ConfigMap key (operator).
/// It has no filters: the export is the selection.</summary>
public sealed class FileSourceProvider(ILoggerFactory loggerFactory) : SourceProvider<FileSourceSpec>
{
    protected override void Validate(FileSourceSpec spec, SourceValidation validation)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(validation);
        if (spec.ConfigMapRef is { } configMap)
        {
            validation.RequireText(configMap.Name, $"{Path}.configMapRef.name");
            validation.RequireText(configMap.Key, $"{Path}.configMapRef.key");
        }

        validation.RejectFilters("file", "a file source syncs every entry of the file; export only the entries to sync");
    }

    protected override void ResolveRelativePaths(FileSourceSpec spec, string manifestFolder)
    {
        ArgumentNullException.ThrowIfNull(spec);
        // The path is relative to the manifest, so the same files work from any working directory.
        if (spec.Path is { Length: > 0 } path && !System.IO.Path.IsPathRooted(path))
        {
            spec.Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(manifestFolder, path));
        }
    }

    protected override Task<IDirectorySource> CreateAsync(FileSourceSpec spec, SourceContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        return Task.FromResult<IDirectorySource>(FileSource.Create(spec, context.References, loggerFactory.CreateLogger<FileSource>()));
    }
}
