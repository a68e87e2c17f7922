using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>An exec credential plugin as KubernetesClient models it plus client-go's interactiveMode.</summary>
internal sealed class KubeconfigExecution : ExternalExecution
{
    /// <summary>interactiveMode: Never, IfAvailable or Always (client-go's ExecInteractiveMode).</summary>
    public string? InteractiveMode { get; set; }
}
