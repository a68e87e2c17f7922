using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sync;

/// <summary>The JSON contract of what a cursor depends on (<see cref="SyncEngine.CursorScope"/>), generated at compile
/// time: serializing the spec by reflection built and JIT-compiled accessors for every source's spec type, a third of
/// the CPU of a CLI sync whose cursor proves nothing changed. Web defaults, as the scope has always been written.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(CursorScopeInput))]
internal sealed partial class CursorScopeJsonContext : JsonSerializerContext;
