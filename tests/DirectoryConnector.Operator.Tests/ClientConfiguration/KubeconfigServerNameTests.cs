using System.Text;
using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Operator.Tests.ClientConfiguration;

/// <summary>
/// A cluster's tls-server-name as client-go uses it: the TLS server name (SNI) and the name the API server's
/// certificate must be issued for, never the Host header, which stays the server URL's. The stand-in's certificate is
/// issued for api.internal only and it listens on 127.0.0.1, as an API server behind a tunnel or load balancer.
/// </summary>
public sealed class KubeconfigServerNameTests : IDisposable
{
    private readonly DirectoryInfo folder = Directory.CreateTempSubdirectory("kubeconfig-server-name-");

    public void Dispose() => folder.Delete(recursive: true);

    [Fact]
    public async Task TheHostHeaderIsTheServersWhileSniAndTheCertificateCheckUseTlsServerName()
    {
        await using var api = await ServerNameApiStandIn.StartAsync("api.internal");
        using var client = Client(api, "api.internal");

        await client.CoreV1.ListNamespaceAsync();
        await client.CoreV1.ListNamespaceAsync();

        var expected = new ServerNameApiRequest($"127.0.0.1:{api.BaseUrl.Port}", "api.internal", "HTTP/2", "GET /api/v1/namespaces");
        api.Requests.Should().Equal([expected, expected],
            "client-go sends the server URL's host as Host; KubernetesClient sent api.internal; HTTP/2 as KubernetesClient asks for it");
    }

    [Theory]
    [InlineData("other.internal")]
    [InlineData(null)]
    public async Task ACertificateNotIssuedForTheServerNameIsRefused(string? serverName)
    {
        await using var api = await ServerNameApiStandIn.StartAsync("api.internal");
        using var client = Client(api, serverName);

        var list = () => client.CoreV1.ListNamespaceAsync();

        (await list.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<System.Security.Authentication.AuthenticationException>();
        api.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task ACertificateForTheServerNameFromAnotherCaIsRefused()
    {
        await using var api = await ServerNameApiStandIn.StartAsync("api.internal");
        using var client = Client(api, "api.internal", DirectoryConnector.TestSupport.Ldap.TestCertificates.Create("Another CA").CaPem);

        var list = () => client.CoreV1.ListNamespaceAsync();

        (await list.Should().ThrowAsync<HttpRequestException>()).Which.InnerException.Should().BeOfType<System.Security.Authentication.AuthenticationException>();
        api.Requests.Should().BeEmpty();
    }

    private IKubernetes Client(ServerNameApiStandIn api, string? serverName, string? caPem = null)
    {
        var path = Path.Combine(folder.FullName, "kubeconfig");
        File.WriteAllText(path, $"""
            clusters:
            - name: c
              cluster:
                server: {api.BaseUrl.ToString().TrimEnd('/')}
                certificate-authority-data: {Convert.ToBase64String(Encoding.ASCII.GetBytes(caPem ?? api.CaPem))}
                {(serverName is null ? "" : $"tls-server-name: {serverName}")}
            users:
            - name: dev
              user: {"{"}token: t{"}"}
            contexts:
            - name: dev
              context: {"{"}cluster: c, user: dev{"}"}
            current-context: dev
            """);
        var resolved = KubernetesConfigResolver.Resolve(path, null, new KubernetesEnvironment(null, InCluster: false, "/nonexistent"));
        var services = new ServiceCollection();
        services.AddLogging();
        KubernetesConfigResolution.AddKubeconfigHttpClients(services);
        return resolved.CreateClient(services.BuildServiceProvider());
    }
}
