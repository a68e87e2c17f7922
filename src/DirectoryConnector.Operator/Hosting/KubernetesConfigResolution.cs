using k8s;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>The client configuration <see cref="KubernetesConfigResolver"/> chose, where from, and the files it merged.</summary>
public sealed record KubernetesConfigResolution(KubernetesConfigSourceKind Source, IReadOnlyList<string> Files, KubernetesClientConfiguration Configuration)
{
    /// <summary>For the start-up log line: "$KUBECONFIG (/a/config, /b/config)".</summary>
    public string Describe() => Source switch
    {
        KubernetesConfigSourceKind.KubeconfigFlag => $"--kubeconfig {Files[0]}",
        KubernetesConfigSourceKind.KubeconfigVariable => $"$KUBECONFIG ({string.Join(", ", Files)})",
        KubernetesConfigSourceKind.InCluster => "the in-cluster service account",
        _ => Files[0],
    };
}
