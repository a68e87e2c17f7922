using System.ComponentModel;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Models;

namespace DirectoryConnector.Operator.Resources;

/// <summary>A list response of DirectorySyncs.</summary>
public sealed class DirectorySyncList : IKubernetesObject<V1ListMeta>, IItems<DirectorySync>
{
    public string ApiVersion { get; set; } = $"{DirectorySync.Group}/{DirectorySync.Version}";

    public string Kind { get; set; } = "DirectorySyncList";

    public V1ListMeta Metadata { get; set; } = new();

    public IList<DirectorySync> Items { get; set; } = [];
}
