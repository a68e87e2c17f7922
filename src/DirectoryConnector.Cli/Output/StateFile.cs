using System.Text.Json;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>The sync command's memory between runs (what the operator keeps in .status).</summary>
internal static class StateFile
{
    /// <summary>Null when the file does not exist yet (first run).</summary>
    public static async Task<SyncState?> LoadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stream = File.OpenRead(path);
            await using (stream.ConfigureAwait(false))
            {
                return await JsonSerializer.DeserializeAsync(stream, StateJsonContext.Default.SyncState, cancellationToken).ConfigureAwait(false)
                    ?? throw new ManifestException($"--state {path}: the file holds null, not a sync state; delete it to start over");
            }
        }
        catch (JsonException e)
        {
            throw new ManifestException($"--state {path}: not a sync state written by this tool ({e.Message}); delete it to start over");
        }
    }

    /// <summary>Writes a temporary file next to the target and renames it over the target, so a crash mid-write
    /// never leaves a truncated state that would make the next run post everything or nothing.</summary>
    public static async Task SaveAsync(string path, SyncState state, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");
        try
        {
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            await using (stream.ConfigureAwait(false))
            {
                await JsonSerializer.SerializeAsync(stream, state, StateJsonContext.Default.SyncState, cancellationToken).ConfigureAwait(false);
                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
