using System.Net.Http.Headers;
using k8s.Authentication;
using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>KubernetesClient's ExecTokenProvider on <see cref="ExecCredentialPlugin"/>: runs the plugin again when the
/// token expires within 30 seconds.</summary>
internal sealed class ExecCredentialTokenProvider(ExternalExecution exec, ClusterEndpoint? cluster, ExecCredentialResponse first) : ITokenProvider
{
    private readonly Lock gate = new();
    private ExecCredentialResponse response = first;

    public Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!NeedsRefresh())
            {
                return Task.FromResult(Header());
            }
        }

        // The plugin is a process that may take seconds: off the caller's thread, one run at a time.
        return Task.Run(() =>
        {
            lock (gate)
            {
                if (NeedsRefresh())
                {
                    response = ExecCredentialPlugin.Run(exec, cluster);
                }

                return Header();
            }
        }, cancellationToken);
    }

    private bool NeedsRefresh() => response.Status.ExpirationTimestamp is { } expires && DateTime.UtcNow.AddSeconds(30) > expires;

    private AuthenticationHeaderValue Header() => new("Bearer", response.Status.Token);
}
