using System.Text.Json.Serialization;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.KubeConfigModels;
using k8s.Models;
using static k8s.KubernetesJson;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// The JSON contracts of the operator's kinds as KubernetesClient reads and writes them (typed custom-object calls,
/// typed watches, KubernetesJson.Serialize): generated at compile time, since KubernetesJson's fallback is reflection,
/// which a trimmed, ahead-of-time compiled executable cannot use for them. The options are KubernetesJson's (its
/// SourceGenerationContext's), so the JSON is the same as the reflection fallback's.
/// </summary>
[JsonSourceGenerationOptions(
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    Converters = [typeof(Iso8601TimeSpanConverter), typeof(KubernetesDateTimeConverter), typeof(KubernetesDateTimeOffsetConverter)])]
[JsonSerializable(typeof(DirectorySync))]
[JsonSerializable(typeof(DirectorySyncList))]
[JsonSerializable(typeof(DirectorySyncStatus))]
[JsonSerializable(typeof(PartialObjectMetadata))]
[JsonSerializable(typeof(Watcher<DirectorySync>.WatchEvent))]
[JsonSerializable(typeof(Watcher<PartialObjectMetadata>.WatchEvent))]
// What every typed watch reads each line as first (and as, when the object is a Status).
[JsonSerializable(typeof(Watcher<KubernetesObject>.WatchEvent))]
[JsonSerializable(typeof(Watcher<V1Status>.WatchEvent))]
// An exec credential plugin's output (ExecCredentialPlugin).
[JsonSerializable(typeof(ExecCredentialResponse))]
internal sealed partial class OperatorJsonContext : JsonSerializerContext;
