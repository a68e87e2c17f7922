using System.ComponentModel;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Resources;

/// <summary>The DirectorySync custom resource: the engine's spec plus the status the operator keeps.</summary>
[KubernetesEntity(Group = Group, ApiVersion = Version, Kind = KindName, PluralName = Plural)]
public sealed class DirectorySync : IKubernetesObject<V1ObjectMeta>, ISpec<DirectorySyncSpec>, IStatus<DirectorySyncStatus?>
{
    public const string Group = "directoryconnector.dev";
    public const string Version = "v1alpha1";
    public const string KindName = "DirectorySync";
    public const string Plural = "directorysyncs";

    /// <summary>Annotation whose change forces a sync now (its value is usually a timestamp).</summary>
    public const string SyncRequestedAtAnnotation = "directoryconnector.dev/sync-requested-at";

    /// <summary>Annotation approving one plan of removals past spec.sync.maxDeletions: its value is the plan hash that
    /// status.deletionGuard.planHash shows. It approves that plan only, and only once.</summary>
    public const string ApproveDeletionsAnnotation = "directoryconnector.dev/approve-deletions";

    public string ApiVersion { get; set; } = $"{Group}/{Version}";

    public string Kind { get; set; } = KindName;

    public V1ObjectMeta Metadata { get; set; } = new();

    public DirectorySyncSpec Spec { get; set; } = new();

    public DirectorySyncStatus? Status { get; set; }
}
