using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.TestSupport.Ldap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// A loopback Kubernetes API over HTTPS at https://127.0.0.1:port whose certificate (from a throwaway CA,
/// <see cref="CaPem"/>) is issued for one name only, not for 127.0.0.1: what a kubeconfig's tls-server-name is for (a
/// tunnel or load balancer in front of the API server). It records each request's Host header, the SNI name of its
/// TLS connection (read in Kestrel's certificate selector, the one place it is given) and its protocol, and answers
/// <c>GET /api/v1/namespaces</c> with an empty NamespaceList (404 otherwise).
/// </summary>
public sealed class ServerNameApiStandIn : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<ServerNameApiRequest> requests = new();

    private ServerNameApiStandIn(WebApplication app, string caPem)
    {
        this.app = app;
        CaPem = caPem;
    }

    /// <summary>https://127.0.0.1:port/ once started.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public string CaPem { get; }

    /// <summary>Every request served, oldest first.</summary>
    public IReadOnlyList<ServerNameApiRequest> Requests => [.. requests];

    /// <summary>Starts an API whose certificate is issued for <paramref name="serverName"/> only.</summary>
    public static async Task<ServerNameApiStandIn> StartAsync(string serverName)
    {
        var certificates = TestCertificates.Create("Kubernetes API Stand-in Test CA", serverNames: [serverName]);
        using var pem = certificates.ServerCertificate();
        // Kestrel on Linux needs an exportable key: round-trip through PKCS#12.
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(https =>
            https.ServerCertificateSelector = (connection, sni) =>
            {
                connection!.Items["sni"] = sni;
                return certificate;
            })));
        var api = new ServerNameApiStandIn(builder.Build(), certificates.CaPem);
        api.app.Run(api.HandleAsync);
        await api.app.StartAsync().ConfigureAwait(false);
        var address = api.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        api.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return api;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var sni = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items.TryGetValue("sni", out var name) == true ? name as string : null;
        requests.Enqueue(new ServerNameApiRequest(request.Host.Value ?? "", sni, request.Protocol, $"{request.Method} {request.Path}"));
        if (HttpMethods.IsGet(request.Method) && request.Path == "/api/v1/namespaces")
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync("""{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"1"},"items":[]}""", context.RequestAborted).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = 404;
    }
}
