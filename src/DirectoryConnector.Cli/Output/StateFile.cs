using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>The sync command's memory between runs (what the operator keeps in .status), with the format version under
/// <c>version</c> and the DirectorySync it was written for (<see cref="StateOwner"/>) under <c>writtenFor</c>. The
/// organization is the state's own <c>organization</c>: <c>writtenFor.organization</c>, which repeated it, is no longer
/// written but still read from files that have it.</summary>
internal static class StateFile
{
    private const string OwnerProperty = "writtenFor";
    private const string VersionProperty = "version";

    /// <summary>The format this tool writes and reads; files from before versions have none and are read as this one.</summary>
    private const int Version = 1;

    /// <summary>A member every state this tool writes has (a failed attempt too), so a JSON object without it is not one.</summary>
    private const string RequiredProperty = "lastSyncTime";

    /// <summary>The top-level members of a state file: the state's own (as serialized) and the two beside it.</summary>
    private static readonly HashSet<string> KnownProperties =
    [
        .. StateJsonContext.Default.SyncState.Properties.Select(property => property.Name), OwnerProperty, VersionProperty,
    ];

    /// <summary>Null when the file does not exist yet (first run); the owner is null in files from before owners.
    /// With <paramref name="forWriting"/>, a path the state could not be written to afterwards is refused now.</summary>
    /// <exception cref="ManifestException">The path is a directory, its folder is missing, or the file is no state this
    /// tool wrote (not JSON, unknown members, another version, a required member missing).</exception>
    public static async Task<(SyncState? State, StateOwner? Owner)> LoadAsync(string path, CancellationToken cancellationToken, bool forWriting = false)
    {
        if (Directory.Exists(path))
        {
            throw new ManifestException($"--state {path}: is a directory; give a file in it, e.g. {Path.Combine(path, "state.json")}");
        }

        if (forWriting && Path.GetDirectoryName(Path.GetFullPath(path)) is { } folder)
        {
            if (!Directory.Exists(folder))
            {
                throw new ManifestException($"--state {path}: the folder {folder} does not exist; create it first");
            }

            // The state is written after the import: a folder this user cannot write would fail only then, so every
            // run would post everything again. Tried now with a file of our own (the state goes through one too).
            try
            {
                await using var probe = new FileStream(Path.Combine(folder, $".{Path.GetFileName(path)}.{Environment.ProcessId}.probe"),
                    FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ManifestException($"--state {path}: this user cannot write in the folder {folder} ({e.Message}): the state could not be saved after the sync; give a folder it can write");
            }
        }

        if (!File.Exists(path))
        {
            return (null, null);
        }

        try
        {
            // One read, no document tree: the state holds the managed sets of every member (megabytes at 50,000 users).
            var bytes = await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false);
            if (ShapeProblem(bytes) is { } problem)
            {
                throw NotAState(path, problem);
            }

            var state = JsonSerializer.Deserialize(bytes, StateJsonContext.Default.SyncState)!;
            return (state, OwnerOf(ReadOwner(bytes), state));
        }
        catch (JsonException e)
        {
            // Where, not what: the parser's message quotes the file's text.
            throw NotAState(path, string.Create(CultureInfo.InvariantCulture, $"unexpected content at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}"));
        }
    }

    private static ManifestException NotAState(string path, string problem)
        => new($"--state {path}: not a sync state written by this tool ({problem}); delete it to start over with a full sync, or point --state at another file");

    /// <summary>Why the top level is not a state this tool wrote, or null. Member names are quoted (a file's own keys,
    /// never its values).</summary>
    private static string? ShapeProblem(byte[] bytes)
    {
        var reader = new Utf8JsonReader(bytes);
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return "the file holds no JSON object";
        }

        var required = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            if (!KnownProperties.Contains(name))
            {
                return $"it has a member \"{name}\" that no state file has";
            }

            if (name == VersionProperty && !(reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var version) && version == Version))
            {
                return $"its {VersionProperty} is not {Version}, the only format this version of directory-connector reads";
            }

            if (name == OwnerProperty && reader.TokenType != JsonTokenType.StartObject)
            {
                return $"its {OwnerProperty} is not an object";
            }

            required |= name == RequiredProperty && reader.TokenType == JsonTokenType.String;
            reader.Skip();
        }

        return required ? null : $"it has no {RequiredProperty}, which every state records";
    }

    /// <summary>The owner as written, its organization the state's (files from before also wrote it in writtenFor).</summary>
    private static StateOwner? OwnerOf(StateOwner? written, SyncState state)
    {
        if (written is null)
        {
            return null;
        }

        // SyncState.Organization is "{apiUrl}|{ORGANIZATION-ID}".
        return state.Organization is { } scoped && scoped.LastIndexOf('|') is var bar and >= 0
            ? written with { Organization = scoped[(bar + 1)..] }
            : written;
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
                    writer.WriteNumber(VersionProperty, Version);
                    foreach (var property in document.RootElement.EnumerateObject())
                    {
                        writer.WritePropertyName(property.Name);
                        writer.WriteRawValue(JsonMarshal.GetRawUtf8Value(property.Value), skipInputValidation: true);
                    }

                    if (owner is not null)
                    {
                        writer.WritePropertyName(OwnerProperty);
                        // The organization is the state's own "organization" already.
                        JsonSerializer.Serialize(writer, owner with { Organization = null }, StateJsonContext.Default.StateOwner);
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
