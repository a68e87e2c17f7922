using System.Net;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// What client-go's round trippers add to every API request and KubernetesClient does not: the bearer from a
/// <see cref="TokenFileSource"/> (replacing the one KubernetesClient set from the token read at start-up), forgetting
/// it after a 401 as client-go's tokenSourceTransport does for resettable sources, and the
/// <see cref="KubeconfigImpersonation"/> headers. With <paramref name="serverUrlHost"/> the Host header is the server
/// URL's: KubernetesClient sets tls-server-name there, which client-go uses for TLS only (<see cref="KubeconfigServerNameTls"/>).
/// </summary>
internal sealed class KubeconfigRequestHandler(TokenFileSource? tokenFile, KubeconfigImpersonation? impersonation, bool serverUrlHost, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (serverUrlHost)
        {
            request.Headers.Host = null;
        }

        // Before the token is taken, so a token read for this very request is not forgotten on its 401 (tokenSourceTransport).
        var start = time.GetUtcNow();
        if (tokenFile is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", tokenFile.Token());
        }

        impersonation?.Apply(request);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (tokenFile is not null && response.StatusCode == HttpStatusCode.Unauthorized)
        {
            tokenFile.ResetTokenOlderThan(start);
        }

        return response;
    }
}
