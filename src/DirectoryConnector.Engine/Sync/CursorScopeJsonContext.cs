using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sync;

/// <summary>The JSON contract of what a cursor depends on (<see cref="SyncEngine.CursorScope"/>), generated at compile
/// time: serializing the spec by reflection built and JIT-compiled accessors for every source's spec type, a third of
/// the CPU of a CLI sync whose cursor proves nothing changed. Web defaults, as the scope has always been written.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(SourceSpec))]
[JsonSerializable(typeof(FiltersSpec))]
[JsonSerializable(typeof(SyncOptionsSpec))]
internal sealed partial class CursorScopeJsonContext : JsonSerializerContext;
