using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Tests.Configuration;

/// <summary>Source-generated metadata for <see cref="JsonErrorTextTests"/> (reflection-based serialization is off).</summary>
[JsonSerializable(typeof(List<Guid>))]
internal sealed partial class TestJsonContext : JsonSerializerContext;
