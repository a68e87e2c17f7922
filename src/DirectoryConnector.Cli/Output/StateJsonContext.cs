using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>The state file's JSON contract (web defaults, indented), generated at compile time so loading and saving it
/// needs no reflection or emitted code at start-up.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true)]
[JsonSerializable(typeof(SyncState))]
[JsonSerializable(typeof(StateOwner))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
