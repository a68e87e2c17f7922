using System.Net;
using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Resources;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>DirectorySyncs, their status and their Events through the API server; Event times come from <paramref name="time"/>.</summary>
public sealed class KubernetesDirectorySyncStore(IKubernetes client, string reportingInstance, TimeProvider time) : IDirectorySyncStore
{
    public const string Component = "directory-connector-operator";

    public async Task<DirectorySync?> GetAsync(string namespaceName, string name, CancellationToken cancellationToken)
    {
        try
        {
            return await client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural, name, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<IReadOnlyList<DirectorySync>> ListAsync(string namespaceName, CancellationToken cancellationToken)
    {
        var items = new List<DirectorySync>();
        string? continueToken = null;
        do
        {
            var page = await client.CustomObjects.ListNamespacedCustomObjectAsync<DirectorySyncList>(DirectorySync.Group, DirectorySync.Version, namespaceName, DirectorySync.Plural,
                continueParameter: continueToken, limit: 500, cancellationToken: cancellationToken).ConfigureAwait(false);
            items.AddRange(page.Items);
            continueToken = string.IsNullOrEmpty(page.Metadata?.ContinueProperty) ? null : page.Metadata.ContinueProperty;
        }
        while (continueToken is not null);

        return items;
    }

    public async Task PatchStatusAsync(DirectorySync resource, JsonObject statusPatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var body = new JsonObject { ["status"] = statusPatch };
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(body.ToJsonString(), V1Patch.PatchType.MergePatch),
            DirectorySync.Group,
            DirectorySync.Version,
            resource.Metadata.NamespaceProperty,
            DirectorySync.Plural,
            resource.Metadata.Name,
            cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task RecordEventAsync(DirectorySync resource, string type, string reason, string message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var now = time.GetUtcNow().UtcDateTime;
        var namespaceName = resource.Metadata.NamespaceProperty;
        var ev = new Corev1Event
        {
            Metadata = new V1ObjectMeta
            {
                // client-go's naming: "<object>.<unique hex>".
                Name = $"{resource.Metadata.Name}.{now.Ticks:x}{Random.Shared.Next(0x1000):x3}",
                NamespaceProperty = namespaceName,
            },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = resource.ApiVersion,
                Kind = resource.Kind,
                Name = resource.Metadata.Name,
                NamespaceProperty = namespaceName,
                Uid = resource.Metadata.Uid,
                ResourceVersion = resource.Metadata.ResourceVersion,
            },
            Type = type,
            Reason = reason,
            Message = message,
            Count = 1,
            FirstTimestamp = now,
            LastTimestamp = now,
            Source = new V1EventSource { Component = Component },
            ReportingComponent = Component,
            ReportingInstance = reportingInstance,
        };
        await client.CoreV1.CreateNamespacedEventAsync(ev, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
    }
}
