using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>A cluster as KubernetesClient models it plus the keys of client-go's Cluster its model lacks.</summary>
internal sealed class KubeconfigClusterEndpoint : ClusterEndpoint
{
    /// <summary>proxy-url: the proxy for this cluster's requests (http, https or socks5).</summary>
    public string? ProxyUrl { get; set; }

    /// <summary>disable-compression: KubernetesClient never asks for compressed responses, so true changes nothing.</summary>
    public bool DisableCompression { get; set; }
}
