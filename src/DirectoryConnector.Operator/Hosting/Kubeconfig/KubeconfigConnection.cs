namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>What of the kubeconfig's current user <see cref="KubeconfigRequestHandler"/> adds to every request (none: null),
/// and the TLS connection to the cluster when it is made by <see cref="KubeconfigServerNameTls"/>.</summary>
internal sealed record KubeconfigConnection(TokenFileSource? TokenFile, KubeconfigImpersonation? Impersonation, KubeconfigServerNameTls? ServerNameTls = null)
{
    public static KubeconfigConnection None { get; } = new(null, null);
}
