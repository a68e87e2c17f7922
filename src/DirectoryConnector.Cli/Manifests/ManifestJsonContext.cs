using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>
/// The DirectorySync spec's JSON contract, generated at compile time with the manifest reader's rules (strict like the
/// API server: exact camelCase names, no unknown fields, no numbers in strings, nullability
/// respected): reading a manifest then needs no reflection or emitted code, which was a third of a CLI run's start-up.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    PropertyNameCaseInsensitive = false,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    NumberHandling = JsonNumberHandling.Strict,
    RespectNullableAnnotations = true)]
[JsonSerializable(typeof(DirectorySyncSpec))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
