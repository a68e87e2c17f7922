using DirectoryConnector.Engine.Http;
using DirectoryConnector.Operator.Hosting.Kubeconfig;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>The client configuration <see cref="KubernetesConfigResolver"/> chose, where from, and the files it merged.</summary>
public sealed record KubernetesConfigResolution(KubernetesConfigSourceKind Source, IReadOnlyList<string> Files, KubernetesClientConfiguration Configuration)
{
    /// <summary>The kubeconfig settings KubernetesClient's configuration has no place for (tokenFile, impersonation).</summary>
    internal KubeconfigConnection Connection { get; init; } = KubeconfigConnection.None;

    /// <summary>For the start-up log line: "$KUBECONFIG (/a/config, /b/config)".</summary>
    public string Describe() => Source switch
    {
        KubernetesConfigSourceKind.KubeconfigFlag => $"--kubeconfig {Files[0]}",
        KubernetesConfigSourceKind.KubeconfigVariable => $"$KUBECONFIG ({string.Join(", ", Files)})",
        KubernetesConfigSourceKind.InCluster => "the in-cluster service account",
        _ => Files[0],
    };

    /// <summary>
    /// The API client for <see cref="Configuration"/> with what KubernetesClient leaves out: the tokenFile's rotating
    /// token, the impersonation headers and the server URL's Host header with tls-server-name (<see cref="KubeconfigRequestHandler"/>), and for an oidc auth-provider the
    /// issuer's typed HttpClient from <paramref name="services"/> (registered by <see cref="AddKubeconfigHttpClients"/>).
    /// </summary>
    public IKubernetes CreateClient(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (Configuration.TokenProvider is OidcTokenRefresher oidc)
        {
            oidc.Use(services.GetRequiredService<DirectoryHttpClientFactory>().Create<OidcIssuerClient>(oidc.Settings.CaPem),
                services.GetService<ILoggerFactory>()?.CreateLogger<OidcTokenRefresher>() ?? (ILogger)NullLogger.Instance);
        }

        return Connection.TokenFile is null && Connection.Impersonation is null && Connection.ServerNameTls is null
            ? new Kubernetes(Configuration)
            // The system clock, as TokenFileSource's reads use.
            : new Kubernetes(Configuration, new KubeconfigRequestHandler(Connection.TokenFile, Connection.Impersonation, serverUrlHost: Connection.ServerNameTls is not null, TimeProvider.System));
    }

    /// <summary>Registers the HTTP clients <see cref="CreateClient"/> may need (the OIDC issuer's, with the retries and
    /// proxy rules of every other HTTP client here).</summary>
    public static void AddKubeconfigHttpClients(IServiceCollection services) =>
        services.AddDirectoryHttpClient<OidcIssuerClient>(HttpRateLimitPolicy.Default);
}
