using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Output;

/// <summary>The state file's JSON contract (web defaults, indented), generated at compile time so loading and saving it
/// needs no reflection or emitted code at start-up (and works in a Native AOT executable). The managed sets stay JSON
/// until read (<see cref="DeferredIdListConverter"/>): a sync the source cursor proves unchanged writes them back as read.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, Converters = [typeof(DeferredIdListConverter)])]
[JsonSerializable(typeof(SyncState))]
[JsonSerializable(typeof(StateOwner))]
internal sealed partial class StateJsonContext : JsonSerializerContext;
