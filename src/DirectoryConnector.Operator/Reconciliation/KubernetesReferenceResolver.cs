using System.Net;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using k8s;
using k8s.Autorest;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Reads Secret and ConfigMap keys from the DirectorySync's own namespace only (a reference has no namespace field).</summary>
public sealed class KubernetesReferenceResolver(IKubernetes client, string namespaceName) : IReferenceResolver
{
    public async Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(secretName, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }

            throw ReferenceErrors.MissingKey("Secret", secretName, key, keyField, $"in namespace \"{namespaceName}\"", secret.Data?.Keys);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw ReferenceErrors.NotFound("Secret", secretName, keyField, $"in namespace \"{namespaceName}\"",
                "create it there (a DirectorySync reads Secrets only from its own namespace)", ex);
        }
    }

    public async Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
    {
        try
        {
            var configMap = await client.CoreV1.ReadNamespacedConfigMapAsync(configMapName, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (configMap.Data is not null && configMap.Data.TryGetValue(key, out var value))
            {
                return value;
            }

            if (configMap.BinaryData is not null && configMap.BinaryData.TryGetValue(key, out var bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }

            var keys = (configMap.Data?.Keys ?? []).Concat(configMap.BinaryData?.Keys ?? []);
            throw ReferenceErrors.MissingKey("ConfigMap", configMapName, key, keyField, $"in namespace \"{namespaceName}\"", keys);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw ReferenceErrors.NotFound("ConfigMap", configMapName, keyField, $"in namespace \"{namespaceName}\"",
                "create it there (a DirectorySync reads ConfigMaps only from its own namespace)", ex);
        }
    }
}
