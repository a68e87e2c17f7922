using System.Net;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.TestSupport.Ldap;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.TestSupport.Http;

/// <summary>The host the SaaS stand-ins (Okta, OneLogin, Entra ID/Graph, Google Workspace) run in: Kestrel on
/// 127.0.0.1 with an ephemeral port, HTTPS only, with a server certificate for 127.0.0.1 and localhost from a throwaway
/// test CA (<see cref="CaPem"/>: what the source's caSecretRef holds), no logging. Create it, map the stand-in's routes
/// on <see cref="App"/>, then <see cref="StartAsync"/>.</summary>
public sealed class LoopbackHttpsHost : IAsyncDisposable
{
    private LoopbackHttpsHost(WebApplication app, TestCertificates certificates)
    {
        App = app;
        Certificates = certificates;
    }

    /// <summary>Where the stand-in maps its middleware and routes before <see cref="StartAsync"/>.</summary>
    public WebApplication App { get; }

    public TestCertificates Certificates { get; }

    /// <summary>The PEM CA that signed the server certificate.</summary>
    public string CaPem => Certificates.CaPem;

    /// <summary>https://127.0.0.1:port/ once started.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>A host with a fresh CA named <paramref name="caName"/> (e.g. "Okta Stand-in Test CA").</summary>
    public static LoopbackHttpsHost Create(string caName) => Create(TestCertificates.Create(caName));

    /// <summary>A host serving a certificate of <paramref name="certificates"/> (a CA shared between instances).</summary>
    public static LoopbackHttpsHost Create(TestCertificates certificates)
    {
        ArgumentNullException.ThrowIfNull(certificates);
        // Kestrel on Linux needs an exportable key: round-trip through PKCS#12.
        using var pem = certificates.ServerCertificate();
        var certificate = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.UseHttps(certificate)));
        return new LoopbackHttpsHost(builder.Build(), certificates);
    }

    /// <summary>Starts listening and returns <see cref="BaseUrl"/>.</summary>
    public async Task<Uri> StartAsync()
    {
        await App.StartAsync().ConfigureAwait(false);
        var address = App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return BaseUrl;
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync().ConfigureAwait(false);
        await App.DisposeAsync().ConfigureAwait(false);
    }
}
