using System.Text;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Oidc;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// `directory-connector operator` with the kubeconfig credentials and connection settings KubernetesClient's own
/// loader does not handle (or not as kubectl does), run as a separate process (the Native AOT publish when
/// DIRECTORY_CONNECTOR_EXECUTABLE names it): an oidc auth-provider refreshed at an issuer found by discovery, a
/// tokenFile re-read when rotated, a cluster's proxy-url. The API stand-in accepts only the credential the test says
/// is current, so a stale one fails the operator's requests instead of passing unnoticed.
/// </summary>
public sealed class OperatorKubeconfigCredentialTests : IAsyncLifetime
{
    private readonly DirectoryInfo home = Directory.CreateTempSubdirectory("operator-credentials-");
    private readonly KubeApiEmulatorOptions options = new();
    private KubeApiEmulator kube = null!;

    public async Task InitializeAsync()
    {
        options.CrdPaths.Add(Repository.DirectorySyncCrd);
        kube = await KubeApiEmulator.StartAsync(options);
    }

    public async Task DisposeAsync()
    {
        await kube.DisposeAsync();
        home.Delete(recursive: true);
    }

    [Theory]
    [InlineData("client_secret_basic")]
    [InlineData("client_secret_post")]
    public async Task AnExpiredOidcIdTokenIsRefreshedAtTheDiscoveredTokenEndpointAndPresentedAsBearer(string authMethod)
    {
        // A secret with characters RFC 6749 §2.3.1 form-encodes before Basic: a client that skips it is refused.
        await using var issuer = await OidcIssuerStandIn.StartAsync("kubernetes", "s3cret:with+special/chars", "rt-initial", authMethod);
        var expired = issuer.IdToken(DateTimeOffset.UtcNow.AddMinutes(-5));
        options.Authenticates = token => token is not null && issuer.IssuedIdTokens.Contains(token);
        var kubeconfig = WriteKubeconfig($$"""
            user:
              auth-provider:
                name: oidc
                config:
                  idp-issuer-url: {{issuer.Issuer}}
                  client-id: {{issuer.ClientId}}
                  client-secret: "{{issuer.ClientSecret}}"
                  id-token: {{expired}}
                  refresh-token: rt-initial
                  idp-certificate-authority-data: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(issuer.CaPem))}}
            """);

        var (listed, process, exit) = await RunOperatorAsync(kubeconfig);

        listed.Should().BeTrue($"the operator lists DirectorySyncs with the refreshed id-token\nissuer: {string.Join("; ", issuer.Requests)}\n{process}");
        issuer.Refreshes.Should().Be(1, "one refresh serves every request until the new id-token nears its expiry: " + string.Join("; ", issuer.Requests));
        issuer.Requests.Should().StartWith(["GET /realms/corp/.well-known/openid-configuration → 200", "POST /realms/corp/protocol/openid-connect/token → 200"]);
        kube.Recorded.Select(r => r.BearerToken).Should().OnlyContain(token => token == issuer.IssuedIdTokens[0], "the expired id-token is never sent");
        foreach (var secret in new[] { expired, "rt-initial", issuer.LiveRefreshToken!, issuer.IssuedIdTokens[0], issuer.ClientSecret })
        {
            process.Output.Should().NotContain(secret);
            process.Error.Should().NotContain(secret);
        }

        // As client-go: the new id-token and the rotated refresh-token (the old one is dead) are saved for the next start.
        File.ReadAllText(kubeconfig).Should().Contain($"id-token: {issuer.IssuedIdTokens[0]}\n").And.Contain($"refresh-token: {issuer.LiveRefreshToken}\n")
            .And.NotContain(expired).And.NotContain("rt-initial");
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task ARefusedOidcRefreshFailsEveryRequestNamingTheIssuersErrorButNoToken()
    {
        await using var issuer = await OidcIssuerStandIn.StartAsync("kubernetes", "secret", "rt-live");
        options.Authenticates = token => token is not null && issuer.IssuedIdTokens.Contains(token);
        var expired = issuer.IdToken(DateTimeOffset.UtcNow.AddMinutes(-5));
        var kubeconfig = WriteKubeconfig($$"""
            user:
              auth-provider:
                name: oidc
                config:
                  idp-issuer-url: {{issuer.Issuer}}
                  client-id: kubernetes
                  client-secret: secret
                  id-token: {{expired}}
                  refresh-token: rt-revoked
                  idp-certificate-authority-data: {{Convert.ToBase64String(Encoding.ASCII.GetBytes(issuer.CaPem))}}
            """);

        var (listed, process, _) = await RunOperatorAsync(kubeconfig, until: p => p.Output.Contains("invalid_grant", StringComparison.Ordinal));

        listed.Should().BeFalse(process.ToString());
        process.Output.Should().Contain("invalid_grant").And.Contain(issuer.Issuer).And.Contain("auth-provider");
        (process.Output + process.Error).Should().NotContain("rt-revoked").And.NotContain(expired);
        kube.Recorded.Should().BeEmpty("no request goes out without a valid id-token");
    }

    [Fact]
    public async Task ARotatedTokenFileIsReadAgainWhenTheApiServerRefusesTheOldToken()
    {
        // Relative to the kubeconfig's folder, as kubectl resolves it.
        var tokenFile = Path.Combine(home.FullName, "token");
        File.WriteAllText(tokenFile, "first-token\n");
        var current = "first-token";
        options.Authenticates = token => token == Volatile.Read(ref current);
        var kubeconfig = WriteKubeconfig("""
            user:
              tokenFile: token
            """);

        using var process = StartOperator(kubeconfig);
        (await WaitForAsync(() => Listed("first-token"), process)).Should().BeTrue(process.ToString());

        // The kubelet's rotation: a new token in the file, the old one refused from now on. The open watches end (as on
        // an API server restart) and their re-watch with the old token gets 401.
        File.WriteAllText(tokenFile, "second-token\n");
        Volatile.Write(ref current, "second-token");
        kube.DropWatches();

        (await WaitForAsync(() => Listed("second-token"), process)).Should().BeTrue($"the operator re-reads the token file after a 401\n{process}");
        process.Terminate();
        (await process.WaitForExitAsync(TimeSpan.FromSeconds(30))).Should().Be(0, process.ToString());
        (process.Output + process.Error).Should().NotContain("first-token").And.NotContain("second-token");
    }

    [Fact]
    public async Task AMissingTokenFileStopsTheOperatorNamingTheField()
    {
        var kubeconfig = WriteKubeconfig("""
            user:
              tokenFile: /nonexistent/token
            """);

        using var process = StartOperator(kubeconfig);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(2, process.ToString());
        process.Error.Should().Contain("tokenFile").And.Contain("/nonexistent/token");
    }

    [Fact]
    public async Task TheClustersProxyUrlCarriesEveryApiRequest()
    {
        await using var proxy = LoopbackProxy.Start();
        options.Authenticates = token => token == "proxied-token";
        var kubeconfig = WriteKubeconfig("""
            user:
              token: proxied-token
            """, proxyUrl: proxy.Url.ToString().TrimEnd('/'));

        var (listed, process, exit) = await RunOperatorAsync(kubeconfig);

        listed.Should().BeTrue(process.ToString());
        proxy.RequestLines.Should().Contain(line => line.StartsWith($"GET {kube.BaseAddress.ToString().TrimEnd('/')}/apis/directoryconnector.dev/v1alpha1/directorysyncs", StringComparison.Ordinal),
            "the API requests go through the cluster's proxy-url: " + string.Join("; ", proxy.RequestLines));
        kube.Recorded.Should().HaveCount(proxy.RequestLines.Count, "every API request went through the proxy");
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task AnExecPluginGetsClientGosExecInfoWithTheClusterAndItsTokenIsTheBearer()
    {
        // What a plugin decoding KUBERNETES_EXEC_INFO with client-go's scheme needs: kind ExecCredential, interactive
        // false without a terminal (the test starts the operator with standard input redirected), the cluster when
        // asked for with provideClusterInfo, and no standard input to wait on.
        var plugin = Path.Combine(home.FullName, "plugin.sh");
        var info = Path.Combine(home.FullName, "exec-info");
        File.WriteAllText(plugin, $$$"""
            #!/bin/sh
            printf '%s' "$KUBERNETES_EXEC_INFO" > '{{{info}}}'
            cat > /dev/null
            echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"plugin-token"}}'
            """.Replace("\r", "", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(plugin, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        options.Authenticates = token => token == "plugin-token";
        var kubeconfig = WriteKubeconfig($$"""
            user:
              exec:
                apiVersion: client.authentication.k8s.io/v1
                command: ./plugin.sh
                interactiveMode: IfAvailable
                provideClusterInfo: true
            """, clusterExtension: "{audience: operator}");

        var (listed, process, exit) = await RunOperatorAsync(kubeconfig);

        listed.Should().BeTrue(process.ToString());
        File.ReadAllText(info).Should().Be($$$"""{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"{{{kube.BaseAddress.ToString().TrimEnd('/')}}}","config":{"audience":"operator"}},"interactive":false}}""");
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task TheUsersImpersonationIsSentWithEveryApiRequest()
    {
        // KubernetesClient reads as/as-groups and sends neither: the operator would act with the full identity.
        options.Authenticates = token => token == "admin-token";
        var kubeconfig = WriteKubeconfig("""
            user:
              token: admin-token
              as: system:serviceaccount:bitwarden:directory-connector
              as-groups: [system:serviceaccounts]
              as-user-extra: {reason: [development]}
            """);

        var (listed, process, exit) = await RunOperatorAsync(kubeconfig);

        listed.Should().BeTrue(process.ToString());
        kube.Recorded.Select(r => string.Join("; ", r.Impersonation!.OrderBy(h => h.Key, StringComparer.Ordinal).Select(h => $"{h.Key}={string.Join("|", h.Value)}")))
            .Should().OnlyContain(headers => headers == "Impersonate-Extra-reason=development; Impersonate-Group=system:serviceaccounts; Impersonate-User=system:serviceaccount:bitwarden:directory-connector");
        exit.Should().Be(0, process.ToString());
    }

    [Fact]
    public async Task ASocks5ProxyUrlWithCredentialsCarriesEveryApiRequest()
    {
        await using var proxy = LoopbackSocks5Proxy.Start("operator", "p@ss:word");
        options.Authenticates = token => token == "proxied-token";
        var port = kube.BaseAddress.Port;
        var kubeconfig = WriteKubeconfig("""
            user:
              token: proxied-token
            """, proxyUrl: $"socks5://operator:p%40ss%3Aword@127.0.0.1:{proxy.Url.Port}");

        var (listed, process, exit) = await RunOperatorAsync(kubeconfig);

        listed.Should().BeTrue(process.ToString());
        proxy.Connects.Should().NotBeEmpty().And.OnlyContain(connect => connect == $"127.0.0.1:{port} (operator)", "RFC 1929 credentials from the URL, decoded");
        (process.Output + process.Error).Should().NotContain("p@ss").And.NotContain("p%40ss");
        exit.Should().Be(0, process.ToString());
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:21", "unsupported scheme \"ftp\", must be http, https, or socks5")]
    [InlineData("http://", "proxy-url")]
    public async Task AProxyUrlThatCannotBeUsedStopsTheOperatorNamingTheField(string proxyUrl, string expected)
    {
        var kubeconfig = WriteKubeconfig("""
            user:
              token: t
            """, proxyUrl: proxyUrl);

        using var process = StartOperator(kubeconfig);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        exit.Should().Be(2, process.ToString());
        process.Error.Should().Contain("clusters[emulator].cluster.proxy-url").And.Contain(expected);
        kube.Recorded.Should().BeEmpty();
    }

    private bool Listed(string token) => kube.Recorded.Any(r =>
        r.BearerToken == token && r.Method == "GET" && r.Path.StartsWith("/apis/directoryconnector.dev/v1alpha1/directorysyncs", StringComparison.Ordinal));

    /// <summary>A kubeconfig for the emulator whose user entry is <paramref name="user"/> (YAML under "- name: dev").</summary>
    private string WriteKubeconfig(string user, string? proxyUrl = null, string? clusterExtension = null)
    {
        var indented = string.Join("\n", user.Split('\n').Select(line => "  " + line));
        var proxy = proxyUrl is null ? "" : $"\n    proxy-url: \"{proxyUrl}\"";
        proxy += clusterExtension is null ? "" : $"\n    extensions:\n    - name: client.authentication.k8s.io/exec\n      extension: {clusterExtension}";
        var path = Path.Combine(home.FullName, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {kube.BaseAddress.ToString().TrimEnd('/')}{proxy}
            users:
            - name: dev
            {indented}
            contexts:
            - name: dev
              context: {"{"}cluster: emulator, user: dev{"}"}
            current-context: dev
            """);
        return path;
    }

    private CliProcess StartOperator(string kubeconfig) => CliProcess.Start(CliProcess.BuiltExecutable,
        ["operator", "--kubeconfig", kubeconfig, "--leader-elect", "false", "--http-address", "127.0.0.1", "--http-port", "0", "--text-logs"],
        new Dictionary<string, string?>
        {
            ["HOME"] = home.FullName,
            ["KUBECONFIG"] = null,
            ["KUBERNETES_SERVICE_HOST"] = null,
            ["KUBERNETES_SERVICE_PORT"] = null,
            ["HTTPS_PROXY"] = null,
            ["HTTP_PROXY"] = null,
            ["ALL_PROXY"] = null,
            ["https_proxy"] = null,
            ["http_proxy"] = null,
            ["all_proxy"] = null,
        });

    /// <summary>Runs the verb until it lists DirectorySyncs (or <paramref name="until"/> holds, or it exits), then stops it
    /// with SIGTERM. The returned process has exited; its output stays readable.</summary>
    private async Task<(bool Listed, CliProcess Process, int? Exit)> RunOperatorAsync(string kubeconfig, Func<CliProcess, bool>? until = null)
    {
        using var process = StartOperator(kubeconfig);
        bool Listed() => kube.Recorded.Any(r => r.Method == "GET" && r.Path.StartsWith("/apis/directoryconnector.dev/v1alpha1/directorysyncs", StringComparison.Ordinal)
            && options.Authenticates!(r.BearerToken));
        await WaitForAsync(() => Listed() || until?.Invoke(process) == true, process);
        var listed = Listed();
        process.Terminate();
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (listed, process, exit);
    }

    private static async Task<bool> WaitForAsync(Func<bool> condition, CliProcess process)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline && !process.HasExited)
        {
            if (condition())
            {
                return true;
            }

            await Task.Delay(100);
        }

        return condition();
    }
}
