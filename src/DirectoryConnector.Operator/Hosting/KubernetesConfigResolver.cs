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

            return Resolution(KubernetesConfigSourceKind.KubeconfigFlag, [kubeconfig], context);
        }

        if (!string.IsNullOrEmpty(environment.KubeconfigVariable))
        {
            var listed = environment.KubeconfigVariable.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var existing = listed.Where(File.Exists).ToList();
            if (existing.Count == 0)
            {
                throw new KubeConfigException($"none of the files $KUBECONFIG lists exists ({string.Join(", ", listed)}); fix or unset KUBECONFIG.");
            }

            return Resolution(KubernetesConfigSourceKind.KubeconfigVariable, existing, context);
        }

        if (environment.InCluster)
        {
            return new(KubernetesConfigSourceKind.InCluster, [], KubernetesClientConfiguration.InClusterConfig());
        }

        if (File.Exists(environment.HomeKubeconfig))
        {
            return Resolution(KubernetesConfigSourceKind.HomeKubeconfig, [environment.HomeKubeconfig], context);
        }

        throw new KubeConfigException(
            "no Kubernetes configuration found. Tried: --kubeconfig (not given); $KUBECONFIG (not set); " +
            "in-cluster service account (KUBERNETES_SERVICE_HOST/KUBERNETES_SERVICE_PORT not set or no token); " +
            $"{environment.HomeKubeconfig} (does not exist). Pass --kubeconfig or set KUBECONFIG.");
    }

    private static KubernetesConfigResolution Resolution(KubernetesConfigSourceKind source, IReadOnlyList<string> files, string? context)
    {
        var (configuration, connection) = Build(files, context);
        return new(source, files, configuration) { Connection = connection };
    }

    private static (KubernetesClientConfiguration Configuration, KubeconfigConnection Connection) Build(IReadOnlyList<string> files, string? context)
    {
        var merged = new K8SConfiguration { Clusters = [], Users = [], Contexts = [] };
        // The file each user came from: refreshed oidc tokens are saved there, as client-go's LocationOfOrigin.
        var userFiles = new Dictionary<string, string>(StringComparer.Ordinal);
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
                userFiles.TryAdd(u.Name, Path.GetFullPath(file));
                if (u.UserCredentials is { } credentials)
                {
                    credentials.ClientCertificate = Absolute(folder, credentials.ClientCertificate);
                    credentials.ClientKey = Absolute(folder, credentials.ClientKey);
                    if (credentials is KubeconfigUserCredentials ours)
                    {
                        ours.TokenFile = Absolute(folder, ours.TokenFile);
                    }

                    // client-go resolves a plugin command only when it is a path, not a name looked up in PATH.
                    if (credentials.ExternalExecution is { Command: { } command } exec && command.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal))
                    {
                        exec.Command = Absolute(folder, command);
                    }
                }
            });
            merged.Contexts = FirstWins(merged.Contexts, config.Contexts, c => c.Name, _ => { });
        }

        // The user the build will pick: only its settings are checked, as client-go checks only the one in use.
        var active = merged.Contexts.FirstOrDefault(c => string.Equals(c.Name, string.IsNullOrEmpty(context) ? merged.CurrentContext : context, StringComparison.OrdinalIgnoreCase))?.ContextDetails?.User;
        CheckOneAuthenticationMethod(merged, active);
        var oidc = DetachOidcProviders(merged, active);
        var plugins = DetachExecPlugins(merged);
        var tokenFiles = StandInForTokenFiles(merged);
        var configuration = KubernetesClientConfiguration.BuildConfigFromConfigObject(merged, context);
        var details = merged.Contexts.FirstOrDefault(c => string.Equals(c.Name, configuration.CurrentContext, StringComparison.OrdinalIgnoreCase))?.ContextDetails;
        var user = details?.User;
        var cluster = merged.Clusters.FirstOrDefault(c => string.Equals(c.Name, details?.Cluster, StringComparison.OrdinalIgnoreCase));
        if (user is not null && plugins.TryGetValue(user, out var exec))
        {
            // As KubernetesClient's SetUserDetails does with the plugin's answer (certificate and key PEM as base64).
            var response = ExecCredentialPlugin.Run(exec, cluster?.ClusterEndpoint);
            configuration.AccessToken = response.Status.Token;
            configuration.ClientCertificateData = response.Status.ClientCertificateData is { } certificate ? Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificate)) : null;
            configuration.ClientCertificateKeyData = response.Status.ClientKeyData is { } key ? Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(key)) : null;
            configuration.TokenProvider = response.Status.Token is null ? null : new ExecCredentialTokenProvider(exec, cluster?.ClusterEndpoint, response);
        }

        if (user is not null && oidc.TryGetValue(user, out var provider))
        {
            configuration.AccessToken = provider.IdToken;
            var persister = userFiles.TryGetValue(provider.Name, out var origin) ? new KubeconfigAuthProviderPersister(origin, provider.Name) : null;
            configuration.TokenProvider = new OidcTokenRefresher(OidcSettings(user, provider.Config), provider.IdToken, provider.RefreshToken, persister, TimeProvider.System);
        }

        TokenFileSource? tokenFile = null;
        if (user is not null && tokenFiles.TryGetValue(user, out var token))
        {
            tokenFile = TokenFileSource.Create(token.Path, token.Token, $"users[{user}].user.tokenFile", TimeProvider.System);
            // What KubernetesClient sends when the client is built without KubeconfigRequestHandler; with it, the file's.
            configuration.AccessToken = tokenFile.Token();
        }

        var credentials = user is null ? null : merged.Users.FirstOrDefault(u => string.Equals(u.Name, user, StringComparison.OrdinalIgnoreCase))?.UserCredentials;
        KubeconfigServerNameTls? serverNameTls = null;
        if (cluster?.ClusterEndpoint is KubeconfigClusterEndpoint { ProxyUrl: { Length: > 0 } proxyUrl })
        {
            var proxy = KubeconfigProxy.Parse(proxyUrl, $"clusters[{cluster.Name}].cluster.proxy-url");
            configuration.FirstMessageHandlerSetup = handler =>
            {
                handler.UseProxy = true;
                handler.Proxy = proxy;
            };
        }
        else if (Uri.TryCreate(configuration.Host, UriKind.Absolute, out var server) && server.Scheme == Uri.UriSchemeHttps
                 && (!string.IsNullOrEmpty(configuration.TlsServerName) || (configuration.SslCaCerts is { Count: > 0 } && !configuration.SkipTlsVerify)))
        {
            // KubernetesClient would send tls-server-name as the Host header (client-go uses it for SNI and the
            // certificate check only), and with a certificate-authority it accepts a certificate of that CA whatever
            // name it was issued for (client-go checks the name): the TLS connection is made by KubeconfigServerNameTls.
            serverNameTls = new KubeconfigServerNameTls(string.IsNullOrEmpty(configuration.TlsServerName) ? server.IdnHost : configuration.TlsServerName, configuration.SslCaCerts, configuration.SkipTlsVerify);
            configuration.FirstMessageHandlerSetup = serverNameTls.Configure;
        }

        return (configuration, new KubeconfigConnection(tokenFile, Impersonation(user, credentials), serverNameTls));
    }

    // client-go's validateAuthInfo: a bearer token (token or tokenFile) and basic auth together are refused;
    // KubernetesClient would silently use the token.
    private static void CheckOneAuthenticationMethod(K8SConfiguration config, string? active)
    {
        var user = config.Users.FirstOrDefault(u => string.Equals(u.Name, active, StringComparison.OrdinalIgnoreCase));
        if (user?.UserCredentials is not { } credentials)
        {
            return;
        }

        var token = !string.IsNullOrEmpty(credentials.Token) || credentials is KubeconfigUserCredentials { TokenFile.Length: > 0 };
        var basic = !string.IsNullOrEmpty(credentials.UserName) || !string.IsNullOrEmpty(credentials.Password);
        if (token && basic)
        {
            throw new KubeConfigException($"users[{user.Name}].user: more than one authentication method found (token, basicAuth); only one is allowed.");
        }
    }

    // KubernetesClient reads as, as-groups and as-user-extra into its model and never sends them: a kubeconfig that asks
    // for a narrower identity would silently act with the full one. client-go's rules: the extras need a user.
    private static KubeconfigImpersonation? Impersonation(string? name, UserCredentials? credentials)
    {
        if (credentials is null)
        {
            return null;
        }

        var ours = credentials as KubeconfigUserCredentials;
        var groups = credentials.ImpersonateGroups?.ToList() ?? [];
        var extra = ours?.ImpersonateExtra ?? [];
        if (string.IsNullOrEmpty(credentials.Impersonate))
        {
            if (!string.IsNullOrEmpty(ours?.ImpersonateUid) || groups.Count > 0 || extra.Count > 0)
            {
                throw new KubeConfigException($"users[{name}].user: as-uid, as-groups or as-user-extra are set without as (the user to impersonate).");
            }

            return null;
        }

        // client-go sends one header line per group or value and the API server reads each line as one; .NET's HttpClient
        // joins the values of a header into one line ("a, b"), which the API server would read as the one group "a, b".
        const string joined = "cannot be sent: .NET's HttpClient joins the values of one header into a single line, which the API server would read as one value";
        if (groups.Count > 1)
        {
            throw new KubeConfigException($"users[{name}].user.as-groups: more than one group {joined} (\"{string.Join(", ", groups)}\"). Impersonate one group, or bind the roles to the user.");
        }

        if (extra.FirstOrDefault(e => e.Value.Count > 1) is { Key: { } key })
        {
            throw new KubeConfigException($"users[{name}].user.as-user-extra.{key}: more than one value {joined}.");
        }

        return new KubeconfigImpersonation(credentials.Impersonate, ours?.ImpersonateUid, groups, extra);
    }

    // KubernetesClient would build its own OidcTokenProvider, which posts the refresh to the issuer URL instead of the
    // token endpoint the issuer's discovery names, with a client that trusts only the system CAs (OidcIssuerClient).
    // The user gets a stand-in token so the build accepts it; the refresher replaces it.
    private static Dictionary<string, (string Name, Dictionary<string, string> Config, string? IdToken, string? RefreshToken)> DetachOidcProviders(K8SConfiguration config, string? active)
    {
        var providers = new Dictionary<string, (string, Dictionary<string, string>, string?, string?)>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in config.Users)
        {
            if (user.UserCredentials?.AuthProvider is not { } provider)
            {
                continue;
            }

            // client-go has no other auth provider (gcp and azure were removed in 1.26 for their exec plugins);
            // KubernetesClient would silently drop another name and act with whatever else the user has.
            var inUse = string.Equals(user.Name, active, StringComparison.OrdinalIgnoreCase);
            if (provider.Name != "oidc" && !inUse)
            {
                continue;
            }

            if (provider.Name != "oidc")
            {
                throw new KubeConfigException(provider.Name switch
                {
                    "gcp" => $"users[{user.Name}].user.auth-provider gcp is no longer supported: use the \"gke-gcloud-auth-plugin\" exec plugin (https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke).",
                    "azure" => $"users[{user.Name}].user.auth-provider azure is no longer supported: use the https://github.com/Azure/kubelogin exec plugin.",
                    _ => $"users[{user.Name}].user.auth-provider \"{provider.Name}\" is not supported (only oidc; other credentials come from an exec plugin).",
                });
            }

            if (inUse && user.UserCredentials.ExternalExecution is not null)
            {
                throw new KubeConfigException($"users[{user.Name}].user: auth-provider cannot be provided in combination with an exec plugin.");
            }

            var settings = provider.Config ?? [];
            providers.TryAdd(user.Name, (user.Name, settings, settings.GetValueOrDefault("id-token"), settings.GetValueOrDefault("refresh-token")));
            user.UserCredentials.AuthProvider = null;
            StandInToken(user.UserCredentials);
        }

        return providers;
    }

    private static OidcAuthProviderSettings OidcSettings(string user, Dictionary<string, string> config)
    {
        string Required(string key) => config.GetValueOrDefault(key) is { Length: > 0 } value
            ? value
            : throw new KubeConfigException($"users[{user}].user.auth-provider.config.{key} is required for the oidc auth-provider.");
        var issuer = Required("idp-issuer-url");
        if (!Uri.TryCreate(issuer, UriKind.Absolute, out var issuerUri) || issuerUri.Scheme is not ("https" or "http"))
        {
            throw new KubeConfigException($"users[{user}].user.auth-provider.config.idp-issuer-url is not an http(s) URL: {issuer}");
        }

        string? caPem = null;
        if (config.GetValueOrDefault("idp-certificate-authority-data") is { Length: > 0 } data)
        {
            try
            {
                caPem = System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(data));
            }
            catch (FormatException)
            {
                throw new KubeConfigException($"users[{user}].user.auth-provider.config.idp-certificate-authority-data is not base64.");
            }
        }
        else if (config.GetValueOrDefault("idp-certificate-authority") is { Length: > 0 } file)
        {
            try
            {
                caPem = File.ReadAllText(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new KubeConfigException($"users[{user}].user.auth-provider.config.idp-certificate-authority: cannot read {file}: {e.Message}", e);
            }
        }

        return new OidcAuthProviderSettings(user, issuer, Required("client-id"), config.GetValueOrDefault("client-secret"), caPem);
    }

    // A user whose only credential is a tokenFile: KubernetesClient's model has no such key, so its build would refuse
    // the user; a stand-in token gets it through and TokenFileSource's token replaces it.
    private static Dictionary<string, (string Path, string? Token)> StandInForTokenFiles(K8SConfiguration config)
    {
        var files = new Dictionary<string, (string, string?)>(StringComparer.OrdinalIgnoreCase);
        foreach (var user in config.Users)
        {
            if (user.UserCredentials is KubeconfigUserCredentials { TokenFile: { Length: > 0 } path } credentials)
            {
                files.TryAdd(user.Name, (path, string.IsNullOrEmpty(credentials.Token) ? null : credentials.Token));
                StandInToken(credentials);
            }
        }

        return files;
    }

    private static void StandInToken(UserCredentials credentials)
    {
        if (string.IsNullOrWhiteSpace(credentials.Token) && (string.IsNullOrWhiteSpace(credentials.UserName) || string.IsNullOrWhiteSpace(credentials.Password)))
        {
            credentials.Token = PendingToken;
        }
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
            StandInToken(user.UserCredentials);
        }

        return plugins;
    }

    private const string PendingToken = "credential-pending";

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
