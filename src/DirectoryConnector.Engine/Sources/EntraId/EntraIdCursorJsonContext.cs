using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>The cursor's contract with the serializer's plain defaults (names from its attributes, case-sensitive
/// reading), as cursors have always been written; generated at compile time so it needs no reflection (Native AOT).</summary>
[JsonSerializable(typeof(EntraIdCursor))]
internal sealed partial class EntraIdCursorJsonContext : JsonSerializerContext;
