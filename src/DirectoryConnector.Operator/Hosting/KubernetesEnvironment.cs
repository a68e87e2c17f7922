using k8s;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>What of the process environment decides the Kubernetes client configuration (tests pass their own).</summary>
/// <param name="KubeconfigVariable">The value of <c>$KUBECONFIG</c>, or null when unset.</param>
/// <param name="InCluster">True inside a pod: KUBERNETES_SERVICE_HOST/PORT set and the service-account token mounted.</param>
/// <param name="HomeKubeconfig">The path of <c>~/.kube/config</c>.</param>
public sealed record KubernetesEnvironment(string? KubeconfigVariable, bool InCluster, string HomeKubeconfig)
{
    public static KubernetesEnvironment Current => new(
        Environment.GetEnvironmentVariable("KUBECONFIG"),
        KubernetesClientConfiguration.IsInCluster(),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".kube", "config"));
}
