using System.Net;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>The API calls the reconciler makes: a fresh read, a status merge patch, and an event.</summary>
public interface IDirectorySyncStore
{
    Task<DirectorySync?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken);

    /// <summary>A fresh list of the DirectorySyncs of one namespace (every label), for the managed sets of those
    /// feeding the same organization.</summary>
    Task<IReadOnlyList<DirectorySync>> ListAsync(string namespaceName, CancellationToken cancellationToken);

    /// <summary>JSON merge patch on /status: no resourceVersion, so it does not conflict with spec edits.</summary>
    Task PatchStatusAsync(DirectorySync resource, JsonObject statusPatch, CancellationToken cancellationToken);

    Task RecordEventAsync(DirectorySync resource, string type, string reason, string message, CancellationToken cancellationToken);
}
