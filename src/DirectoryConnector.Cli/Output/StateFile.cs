using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>The sync command's memory between runs (what the operator keeps in .status), with the owner it was
/// written for (<see cref="StateOwner"/>) under <c>writtenFor</c>.</summary>
internal static class StateFile
{
    private const string OwnerProperty = "writtenFor";

    /// <summary>Null when the file does not exist yet (first run); the owner is null in files from before owners.
    /// With <paramref name="forWriting"/>, a path the state could not be written to afterwards is refused now.</summary>
    /// <exception cref="ManifestException">The path is a directory, its folder is missing, or the file is no state.</exception>
    public static async Task<(SyncState? State, StateOwner? Owner)> LoadAsync(string path, CancellationToken cancellationToken, bool forWriting = false)
    {
        if (Directory.Exists(path))
        {
            throw new ManifestException($"--state {path}: is a directory; give a file in it, e.g. {Path.Combine(path, "state.json")}");
        }

        if (forWriting && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder && !Directory.Exists(folder))
        {
            throw new ManifestException($"--state {path}: the folder {folder} does not exist; create it first");
        }

        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            // One read, no document tree: the state holds the managed sets of every member (megabytes at 50,000 users).
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            return (ReadObject(bytes, path), ReadOwner(bytes));
        }
        catch (JsonException e)
        {
            // Where, not what: the parser's message quotes the file's text.
            throw new ManifestException(string.Create(CultureInfo.InvariantCulture,
                $"--state {path}: not a sync state written by this tool (unexpected content at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}); delete it to start over"));
        }
    }

    private static SyncState ReadObject(byte[] bytes, string path)
    {
        var reader = new Utf8JsonReader(bytes);
        return reader.Read() && reader.TokenType == JsonTokenType.StartObject
            ? JsonSerializer.Deserialize(bytes, StateJsonContext.Default.SyncState)!
            : throw new ManifestException($"--state {path}: the file holds no JSON object, so no sync state; delete it to start over");
    }

    /// <summary>The top-level <c>writtenFor</c> object, found by skipping the other properties unread.</summary>
    private static StateOwner? ReadOwner(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var isOwner = reader.ValueTextEquals(OwnerProperty);
            reader.Read();
            if (isOwner)
            {
                return JsonSerializer.Deserialize(ref reader, StateJsonContext.Default.StateOwner);
            }

            reader.Skip();
        }

        return null;
    }

    /// <summary>Writes a temporary file next to the target and renames it over the target, so a crash mid-write
    /// never leaves a truncated state that would make the next run post everything or nothing.</summary>
    public static async Task SaveAsync(string path, SyncState state, StateOwner? owner, CancellationToken cancellationToken)
    {
        var fullPath = Path.GetFullPath(path);
        var temporary = Path.Combine(Path.GetDirectoryName(fullPath)!, $".{Path.GetFileName(fullPath)}.{Environment.ProcessId}.tmp");
        // The state's properties as serialized (raw: no node per managed id), then the owner.
        using var document = JsonSerializer.SerializeToDocument(state, StateJsonContext.Default.SyncState);
        try
        {
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None);
            await using (stream.ConfigureAwait(false))
            {
                var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true });
                await using (writer.ConfigureAwait(false))
                {
                    writer.WriteStartObject();
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
                    }

                    if (owner is not null)
                    {
                        writer.WritePropertyName(OwnerProperty);
                        JsonSerializer.Serialize(writer, owner, StateJsonContext.Default.StateOwner);
                    }

                    writer.WriteEndObject();
                }

                await stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, fullPath, overwrite: true);
        }
        finally
        {
            if (File.Exists(temporary))
            {
                File.Delete(temporary);
            }
        }
    }
}
