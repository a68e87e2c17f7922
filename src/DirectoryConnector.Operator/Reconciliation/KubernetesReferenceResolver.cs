using System.Net;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using k8s;
using k8s.Autorest;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>Reads Secret and ConfigMap keys from the DirectorySync's own namespace only (a reference has no namespace field).</summary>
public sealed class KubernetesReferenceResolver(IKubernetes client, string namespaceName) : IReferenceResolver
{
    public async Task<string> GetSecretValueAsync(string secretName, string key, CancellationToken cancellationToken)
    {
        try
        {
            var secret = await client.CoreV1.ReadNamespacedSecretAsync(secretName, namespaceName, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (secret.Data is not null && secret.Data.TryGetValue(key, out var bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }

            throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"Secret \"{secretName}\" in namespace \"{namespaceName}\" has no key \"{key}\" (keys present: {KeyList(secret.Data?.Keys)}).", retryable: false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"Secret \"{secretName}\" was not found in namespace \"{namespaceName}\"; create it there (a DirectorySync reads Secrets only from its own namespace).", retryable: false, ex);
        }
    }

    public async Task<string> GetConfigMapValueAsync(string configMapName, string key, CancellationToken cancellationToken)
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
            throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap \"{configMapName}\" in namespace \"{namespaceName}\" has no key \"{key}\" (keys present: {KeyList(keys)}).", retryable: false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap \"{configMapName}\" was not found in namespace \"{namespaceName}\"; create it there.", retryable: false, ex);
        }
    }

    private static string KeyList(IEnumerable<string>? keys)
    {
        var list = keys?.OrderBy(k => k, StringComparer.Ordinal).ToList() ?? [];
        return list.Count == 0 ? "none" : string.Join(", ", list);
    }
}
