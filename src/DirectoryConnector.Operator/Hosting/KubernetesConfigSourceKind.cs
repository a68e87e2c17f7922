namespace DirectoryConnector.Operator.Hosting;

/// <summary>Where the Kubernetes client configuration came from, in the order they are tried.</summary>
public enum KubernetesConfigSourceKind
{
    KubeconfigFlag,
    KubeconfigVariable,
    InCluster,
    HomeKubeconfig,
}
