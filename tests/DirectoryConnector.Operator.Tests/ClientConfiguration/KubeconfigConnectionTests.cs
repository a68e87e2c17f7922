using System.Net;
using System.Text;
using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.Operator.Hosting.Kubeconfig;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Oidc;
using FluentAssertions;
using k8s;
using k8s.Exceptions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>
/// The kubeconfig keys of client-go that KubernetesClient's models lack or it does not send (tokenFile, proxy-url,
/// as/as-uid/as-groups/as-user-extra) and the oidc auth-provider, as <see cref="KubernetesConfigResolver"/> and
/// <see cref="KubernetesConfigResolution.CreateClient"/> honour them; the process tests
/// (DirectoryConnector.Cli.Tests OperatorKubeconfigCredentialTests) run the same against the executable.
/// </summary>
public sealed class KubeconfigConnectionTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-connection-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public void ATokenFileIsReadAgainFiftySecondsAfterTheLastReadAsClientGoDoes()
    {
        // client-go: a read token expires a minute after the read; the cache refreshes 10 s early.
        var file = Path.Combine(folder.FullName, "token");
        File.WriteAllText(file, " one\n");
        var time = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var source = TokenFileSource.Create(file, token: null, "users[u].user.tokenFile", time);

        source.Token().Should().Be("one");
        File.WriteAllText(file, "two");
        time.Advance(TimeSpan.FromSeconds(49));
        source.Token().Should().Be("one", "49 s after the read the cached token is still used");
        time.Advance(TimeSpan.FromSeconds(1));
        source.Token().Should().Be("two", "50 s after the read (1 min less the 10 s leeway) the file is read again");
    }

    [Fact]
    public void AFailedReadKeepsTheLastTokenAndAnEmptyFileCountsAsFailed()
    {
        var file = Path.Combine(folder.FullName, "token");
        File.WriteAllText(file, "kept");
        var time = new FakeTimeProvider();
        var source = TokenFileSource.Create(file, token: null, "users[u].user.tokenFile", time);
        source.Token().Should().Be("kept");

        File.WriteAllText(file, "  \n");
        time.Advance(TimeSpan.FromMinutes(2));
        source.Token().Should().Be("kept");
        File.Delete(file);
        time.Advance(TimeSpan.FromMinutes(2));
        source.Token().Should().Be("kept");
        File.WriteAllText(file, "back");
        source.Token().Should().Be("back", "a failed read does not restart the period: the next request reads again");
    }

    [Fact]
    public void A401ForgetsOnlyATokenReadBeforeTheRequestStarted()
    {
        var file = Path.Combine(folder.FullName, "token");
        File.WriteAllText(file, "one");
        var time = new FakeTimeProvider();
        var source = TokenFileSource.Create(file, token: "from-kubeconfig", "users[u].user.tokenFile", time);
        source.Token().Should().Be("one", "the file wins over the token key once read, as with client-go");

        File.WriteAllText(file, "two");
        var start = time.GetUtcNow();
        source.ResetTokenOlderThan(start);
        source.Token().Should().Be("one", "read at the request's start, not before it: a fresh token is not forgotten");
        time.Advance(TimeSpan.FromSeconds(1));
        source.ResetTokenOlderThan(time.GetUtcNow());
        source.Token().Should().Be("two");
    }

    [Fact]
    public void AnUnreadableOrEmptyTokenFileWithoutATokenIsAnErrorNamingTheField()
    {
        var empty = Path.Combine(folder.FullName, "empty");
        File.WriteAllText(empty, "\n");

        var missing = () => Resolve(User("tokenFile: does-not-exist"));
        var blank = () => Resolve(User($"tokenFile: {empty}"));

        missing.Should().Throw<KubeConfigException>().WithMessage($"users[dev].user.tokenFile: cannot read the token file {Path.Combine(folder.FullName, "does-not-exist")}:*");
        blank.Should().Throw<KubeConfigException>().WithMessage($"users[dev].user.tokenFile: the token file {empty} is empty");
    }

    [Fact]
    public async Task TheApiClientSendsTheTokenFilesTokenAndReadsItAgainAfterA401()
    {
        var accepted = "old";
        await using var kube = await KubeApiEmulator.StartAsync(new KubeApiEmulatorOptions { Authenticates = token => token == Volatile.Read(ref accepted) });
        File.WriteAllText(Path.Combine(folder.FullName, "token"), "old");
        var resolved = Resolve(User("tokenFile: token"), kube.BaseAddress);
        using var client = resolved.CreateClient(Services());

        await client.CoreV1.ListNamespaceAsync();
        File.WriteAllText(Path.Combine(folder.FullName, "token"), "new");
        Volatile.Write(ref accepted, "new");
        var refused = () => client.CoreV1.ListNamespaceAsync();
        (await refused.Should().ThrowAsync<k8s.Autorest.HttpOperationException>()).Which.Response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        await client.CoreV1.ListNamespaceAsync();

        kube.Recorded.Select(r => r.BearerToken).Should().Equal("old", "old", "new");
    }

    [Fact]
    public async Task ImpersonationIsSentAsClientGoSendsIt()
    {
        await using var kube = await KubeApiEmulator.StartAsync();
        var resolved = Resolve(User("""
            token: t
            as: jane
            as-uid: "1001"
            as-groups: [developers]
            as-user-extra:
              scopes: [view]
              "reason/ü": incident
            """), kube.BaseAddress);
        using var client = resolved.CreateClient(Services());

        await client.CoreV1.ListNamespaceAsync();

        var headers = kube.Recorded.Single().Impersonation!;
        headers["Impersonate-User"].Should().Equal("jane");
        headers["Impersonate-Uid"].Should().Equal("1001");
        headers["Impersonate-Group"].Should().Equal("developers");
        headers["Impersonate-Extra-scopes"].Should().Equal("view");
        headers["Impersonate-Extra-reason%2F%C3%BC"].Should().Equal("incident");
    }

    [Fact]
    public async Task SeveralValuesOfOneHeaderReachTheServerAsOneValue()
    {
        // Why several impersonated groups are refused: .NET joins them into one header line, which a server (Go's
        // net/http as Kestrel here) reads as the single group "developers, on-call".
        await using var kube = await KubeApiEmulator.StartAsync();
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(kube.BaseAddress, "/api/v1/namespaces"));
        request.Headers.TryAddWithoutValidation("Impersonate-Group", ["developers", "on-call"]);

        using var response = await http.SendAsync(request);

        kube.Recorded.Single().Impersonation!["Impersonate-Group"].Should().Equal("developers, on-call");
    }

    [Theory]
    [InlineData("as-groups: [a]", "users[dev].user: as-uid, as-groups or as-user-extra are set without as*")]
    [InlineData("as: x\nas-user-extra: {k: {nested: map}}", "*users[dev].user.as-user-extra.k must be a string or a list of strings")]
    [InlineData("as: x\nas-groups: [developers, on-call]", "users[dev].user.as-groups: more than one group cannot be sent: .NET's HttpClient joins*(\"developers, on-call\")*")]
    [InlineData("as: x\nas-user-extra: {scopes: [view, edit]}", "users[dev].user.as-user-extra.scopes: more than one value cannot be sent*")]
    public void ImpersonationKeysThatCannotBeHonouredAreErrors(string keys, string message)
    {
        var act = () => Resolve(User("token: t\n" + keys));

        act.Should().Throw<KubeConfigException>().WithMessage(message);
    }

    [Theory]
    [InlineData("token: t\nusername: u\npassword: p")]
    [InlineData("tokenFile: /var/run/token\nusername: u")]
    public void ATokenAndBasicAuthTogetherAreAnErrorAsWithClientGo(string keys)
    {
        var act = () => Resolve(User(keys));

        act.Should().Throw<KubeConfigException>().Which.Message.Should().Be("users[dev].user: more than one authentication method found (token, basicAuth); only one is allowed.");
    }

    [Theory]
    [InlineData("http://proxy.example:3128")]
    [InlineData("https://proxy.example:3129")]
    [InlineData("socks5://user:p%40ss@proxy.example:1080")]
    public void TheClustersProxyUrlIsTheApiClientsProxy(string proxyUrl)
    {
        var resolved = Resolve(User("token: t"), proxyUrl: proxyUrl);
        using var handler = new SocketsHttpHandler();

        resolved.Configuration.FirstMessageHandlerSetup.Should().NotBeNull();
        resolved.Configuration.FirstMessageHandlerSetup!(handler);

        handler.UseProxy.Should().BeTrue();
        var proxy = handler.Proxy.Should().BeOfType<WebProxy>().Subject;
        proxy.Address!.GetLeftPart(UriPartial.Authority).Should().Be(new UriBuilder(proxyUrl) { UserName = "", Password = "" }.Uri.GetLeftPart(UriPartial.Authority));
        proxy.IsBypassed(new Uri("https://127.0.0.1:6443")).Should().BeFalse("client-go sends every request to the cluster through it, loopback included");
        if (proxyUrl.Contains('@', StringComparison.Ordinal))
        {
            var credential = proxy.Credentials.Should().BeOfType<NetworkCredential>().Subject;
            (credential.UserName, credential.Password).Should().Be(("user", "p@ss"));
        }
    }

    [Theory]
    [InlineData("socks4://proxy:1080", "clusters[c].cluster.proxy-url: unsupported scheme \"socks4\", must be http, https, or socks5.")]
    [InlineData("proxy.example:3128", "clusters[c].cluster.proxy-url: unsupported scheme \"proxy.example\", must be http, https, or socks5.")]
    [InlineData("http://user:s3cret@", "clusters[c].cluster.proxy-url: could not parse the value (19 characters, with credentials) as a URL.")]
    public void AProxyUrlThatCannotBeUsedIsAnErrorNamingTheField(string proxyUrl, string message)
    {
        var act = () => Resolve(User("token: t"), proxyUrl: proxyUrl);

        act.Should().Throw<KubeConfigException>().Which.Message.Should().Be(message);
    }

    [Fact]
    public async Task ConcurrentRequestsWithAnExpiredIdTokenShareOneRefresh()
    {
        await using var issuer = await OidcIssuerStandIn.StartAsync("kubernetes", "secret", "rt-1");
        var resolved = Resolve(User($"""
            auth-provider:
                name: oidc
                config:
                  idp-issuer-url: {issuer.Issuer}/
                  client-id: kubernetes
                  client-secret: secret
                  id-token: {issuer.IdToken(DateTimeOffset.UtcNow.AddSeconds(9))}
                  refresh-token: rt-1
                  idp-certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(issuer.CaPem))}
            """));
        using var client = resolved.CreateClient(Services());
        var provider = resolved.Configuration.TokenProvider!;

        var headers = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => provider.GetAuthenticationHeaderAsync(CancellationToken.None)));

        issuer.Refreshes.Should().Be(1, "an id-token 9 s from its exp is expired (client-go's 10 s delta), and one refresh serves all");
        headers.Select(h => h.ToString()).Should().AllBe($"Bearer {issuer.IssuedIdTokens.Single()}");
        (await provider.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter.Should().Be(issuer.IssuedIdTokens.Single());
        issuer.Refreshes.Should().Be(1);
    }

    [Fact]
    public async Task AValidIdTokenIsUsedWithoutAskingTheIssuer()
    {
        await using var issuer = await OidcIssuerStandIn.StartAsync("kubernetes", "secret", "rt-1");
        var valid = issuer.IdToken(DateTimeOffset.UtcNow.AddMinutes(5));
        var resolved = Resolve(User($"""
            auth-provider:
                name: oidc
                config: {"{"}idp-issuer-url: "{issuer.Issuer}", client-id: kubernetes, id-token: "{valid}"{"}"}
            """));

        (await resolved.Configuration.TokenProvider!.GetAuthenticationHeaderAsync(CancellationToken.None)).Parameter.Should().Be(valid);
        issuer.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData("{client-id: k}", "users[dev].user.auth-provider.config.idp-issuer-url is required for the oidc auth-provider.")]
    [InlineData("{idp-issuer-url: 'https://issuer.example'}", "users[dev].user.auth-provider.config.client-id is required for the oidc auth-provider.")]
    [InlineData("{idp-issuer-url: 'https://issuer.example', client-id: k, idp-certificate-authority-data: '%%%'}", "users[dev].user.auth-provider.config.idp-certificate-authority-data is not base64.")]
    public void AnOidcAuthProviderMissingWhatARefreshNeedsIsAnError(string config, string message)
    {
        var act = () => Resolve(User($"auth-provider: {{name: oidc, config: {config}}}"));

        act.Should().Throw<KubeConfigException>().Which.Message.Should().Be(message);
    }

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        KubernetesConfigResolution.AddKubeconfigHttpClients(services);
        return services.BuildServiceProvider();
    }

    private static string User(string yaml) => yaml;

    private KubernetesConfigResolution Resolve(string user, Uri? server = null, string? proxyUrl = null)
    {
        var indented = string.Join("\n", user.Split('\n').Select(line => "    " + line));
        var path = Path.Combine(folder.FullName, "kubeconfig");
        File.WriteAllText(path, $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: c
              cluster:
                server: {(server?.ToString() ?? "https://cluster.example:6443").TrimEnd('/')}
                {(proxyUrl is null ? "" : $"proxy-url: \"{proxyUrl}\"")}
            users:
            - name: dev
              user:
            {indented}
            contexts:
            - name: dev
              context: {"{"}cluster: c, user: dev{"}"}
            current-context: dev
            """);
        return KubernetesConfigResolver.Resolve(path, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));
    }
}
