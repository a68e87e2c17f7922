using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>The "namespace/name" key of an object, as the cache and the work queue use it.</summary>
public static class ObjectKey
{
    public static string Of(IMetadata<V1ObjectMeta> item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Of(item.Metadata.NamespaceProperty, item.Metadata.Name);
    }

    public static string Of(string? namespaceName, string name) => $"{namespaceName}/{name}";

    public static (string Namespace, string Name) Split(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return (key[..slash], key[(slash + 1)..]);
    }
}
