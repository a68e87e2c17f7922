namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>What of the kubeconfig's current user <see cref="KubeconfigRequestHandler"/> adds to every request (none: null).</summary>
internal sealed record KubeconfigConnection(TokenFileSource? TokenFile, KubeconfigImpersonation? Impersonation)
{
    public static KubeconfigConnection None { get; } = new(null, null);
}
