using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// meta.k8s.io/v1 PartialObjectMetadata: an object's metadata without its body, as the API server returns it for
/// <c>Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1</c> (and the items of
/// <c>as=PartialObjectMetadataList</c>). KubernetesClient has no model for it.
/// </summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName)]
public sealed class PartialObjectMetadata : IKubernetesObject<V1ObjectMeta>
{
    public const string Group = "meta.k8s.io";
    public const string Version = "v1";
    public const string KindName = "PartialObjectMetadata";
    public const string ListKindName = "PartialObjectMetadataList";

    /// <summary>Accept header of a metadata-only GET or WATCH (controller-runtime's metadata informers, client-go's metadata client).</summary>
    public const string AcceptObject = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1";

    /// <summary>Accept header of a metadata-only LIST.</summary>
    public const string AcceptList = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = KindName;

    public V1ObjectMeta Metadata { get; set; } = new();

    /// <summary>
    /// What the operator keeps of a Secret or ConfigMap: its identity and resourceVersion. Annotations go too: the
    /// <c>kubectl.kubernetes.io/last-applied-configuration</c> of an applied Secret holds its data.
    /// </summary>
    public static PartialObjectMetadata Identity(PartialObjectMetadata item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new PartialObjectMetadata
        {
            Metadata = new V1ObjectMeta
            {
                Name = item.Metadata?.Name,
                NamespaceProperty = item.Metadata?.NamespaceProperty,
                Uid = item.Metadata?.Uid,
                ResourceVersion = item.Metadata?.ResourceVersion,
            },
        };
    }
}
