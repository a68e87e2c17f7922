using DirectoryConnector.Operator.Hosting.Kubeconfig;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting;

/// <summary>
/// Finds the Kubernetes client configuration the way kubectl users expect: <c>--kubeconfig</c>; else
/// <c>$KUBECONFIG</c>, a list of files separated by <see cref="Path.PathSeparator"/> merged as kubectl merges them
/// (missing files skipped; for each named cluster, user and context and for current-context the first file that sets
/// it wins: https://kubernetes.io/docs/concepts/configuration/organize-cluster-access-kubeconfig/#merging-kubeconfig-files);
/// else the pod's service account (in cluster); else <c>~/.kube/config</c>. When none works the error names each
/// place tried. As with kubectl, a <c>$KUBECONFIG</c> whose files are all missing is an error, never a silent
/// fall-back to another cluster.
/// </summary>
public static class KubernetesConfigResolver
{
    /// <summary>Resolves the configuration; throws <see cref="KubeConfigException"/> naming what was tried.</summary>
    /// <param name="kubeconfig">The <c>--kubeconfig</c> path, or null.</param>
    /// <param name="context">The <c>--context</c> to use instead of the current context, or null.</param>
    /// <param name="environment">The process environment (<see cref="KubernetesEnvironment.Current"/>).</param>
    public static KubernetesConfigResolution Resolve(string? kubeconfig, string? context, KubernetesEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrEmpty(kubeconfig))
        {
            if (!File.Exists(kubeconfig))
            {
                throw new KubeConfigException($"the --kubeconfig file {kubeconfig} does not exist.");
            }

            return new(KubernetesConfigSourceKind.KubeconfigFlag, [kubeconfig], Build([kubeconfig], context));
        }

        if (!string.IsNullOrEmpty(environment.KubeconfigVariable))
        {
            var listed = environment.KubeconfigVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var existing = listed.Where(File.Exists).ToList();
            if (existing.Count == 0)
            {
                throw new KubeConfigException($"none of the files $KUBECONFIG lists exists ({string.Join(", ", listed)}); fix or unset KUBECONFIG.");
            }

            return new(KubernetesConfigSourceKind.KubeconfigVariable, existing, Build(existing, context));
        }

        if (environment.InCluster)
        {
            return new(KubernetesConfigSourceKind.InCluster, [], KubernetesClientConfiguration.InClusterConfig());
        }

        if (File.Exists(environment.HomeKubeconfig))
        {
            return new(KubernetesConfigSourceKind.HomeKubeconfig, [environment.HomeKubeconfig], Build([environment.HomeKubeconfig], context));
        }

        throw new KubeConfigException(
            "no Kubernetes configuration found. Tried: --kubeconfig (not given); $KUBECONFIG (not set); " +
            "in-cluster service account (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set or no token); " +
            $"{environment.HomeKubeconfig} (does not exist). Pass --kubeconfig or set KUBECONFIG.");
    }

    private static KubernetesClientConfiguration Build(IReadOnlyList<string> files, string? context)
    {
        var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
        foreach (var file in files)
        {
            var config = KubeconfigReader.Read(file);
            var folder = Path.GetDirectoryName(Path.GetFullPath(file))!;
            if (string.IsNullOrEmpty(merged.CurrentContext))
            {
                merged.CurrentContext = config.CurrentContext;
            }

            merged.Clusters = FirstWins(merged.Clusters, config.Clusters, c => c.Name, c =>
            {
                if (c.ClusterEndpoint is { } endpoint)
                {
                    endpoint.CertificateAuthority = Absolute(folder, endpoint.CertificateAuthority);
                }
            });
            merged.Users = FirstWins(merged.Users, config.Users, u => u.Name, u =>
            {
                if (u.UserCredentials is { } credentials)
                {
                    credentials.ClientCertificate = Absolute(folder, credentials.ClientCertificate);
                    credentials.ClientKey = Absolute(folder, credentials.ClientKey);
                }
            });
            merged.Contexts = FirstWins(merged.Contexts, config.Contexts, c => c.Name, _ => { });
        }

        var plugins = DetachExecPlugins(merged);
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        var user = merged.Contexts.FirstOrDefault(c => string.Equals(c.Name, configuration.CurrentContext, StringComparison.OrdinalIgnoreCase))?.ContextDetails?.User;
        if (user is not null && plugins.TryGetValue(user, out var exec))
        {
            // As KubernetesClient's SetUserDetails does with the plugin's answer (certificate and key PEM as base64).
            var response = ExecCredentialPlugin.Run(exec);
            configuration.AccessToken = response.Status.Token;
            configuration.ClientCertificateData = response.Status.ClientCertificateData is { } certificate ? Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate)) : null;
            configuration.ClientCertificateKeyData = response.Status.ClientKeyData is { } key ? Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key)) : null;
            configuration.TokenProvider = response.Status.Token is null ? null : new ExecCredentialTokenProvider(exec, response);
        }

        return configuration;
    }

    // KubernetesClient would run a user's exec plugin itself while building the configuration, writing its
    // KUBERNETES_EXEC_INFO with reflection JSON that Native AOT does not have; ExecCredentialPlugin runs it instead. A
    // user left with no other credential gets a stand-in token so the build accepts it; the plugin's answer replaces it.
    private static Dictionary<string, ExternalExecution> DetachExecPlugins(K8SConfiguration config)
    {
        var plugins = new Dictionary<string, ExternalExecution>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in config.Users)
        {
            if (user.UserCredentials?.ExternalExecution is not { } exec)
            {
                continue;
            }

            ExecCredentialPlugin.Validate(exec);
            plugins.TryAdd(user.Name, exec);
            user.UserCredentials.ExternalExecution = null;
            var credentials = user.UserCredentials;
            if (string.IsNullOrWhiteSpace(credentials.Token) && (string.IsNullOrWhiteSpace(credentials.UserName) || string.IsNullOrWhiteSpace(credentials.Password)))
            {
                credentials.Token = ExecPluginPendingToken;
            }
        }

        return plugins;
    }

    private const string ExecPluginPendingToken = "exec-plugin-pending";

    private static List<T> FirstWins<T>(IEnumerable<T>? kept, IEnumerable<T>? added, Func<T, string> name, Action<T> resolvePaths)
    {
        var result = kept?.ToList() ?? [];
        foreach (var item in added ?? [])
        {
            if (!result.Any(existing => name(existing) == name(item)))
            {
                resolvePaths(item);
                result.Add(item);
            }
        }

        return result;
    }

    // Relative paths in a kubeconfig are relative to the file that holds them (kubectl's rule).
    private static string? Absolute(string folder, string? path) =>
        string.IsNullOrEmpty(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(path, folder);
}
