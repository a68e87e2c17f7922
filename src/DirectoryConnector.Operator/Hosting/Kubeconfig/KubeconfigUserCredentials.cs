using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>A user as KubernetesClient models it plus the keys of client-go's AuthInfo its model lacks.</summary>
internal sealed class KubeconfigUserCredentials : UserCredentials
{
    /// <summary>tokenFile: a file holding the bearer token, read again as client-go does (<see cref="TokenFileSource"/>).</summary>
    public string? TokenFile { get; set; }

    /// <summary>as-uid: the UID to impersonate.</summary>
    public string? ImpersonateUid { get; set; }

    /// <summary>as-user-extra as client-go reads it: a list of values per key.</summary>
    public Dictionary<string, List<string>> ImpersonateExtra { get; } = new(StringComparer.Ordinal);
}
