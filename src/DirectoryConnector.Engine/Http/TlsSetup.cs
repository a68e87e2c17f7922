using System.Net.Http;
using System.Security.Cryptography.X509Certificates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http;
using Microsoft.Extensions.Options;

namespace DirectoryConnector.Engine.Http;

/// <summary>
/// The last handler-builder action of a directory client: trust (the system store, or only the given CA bundle via
/// X509ChainTrustMode.CustomRootTrust), the certificate check that records why a certificate was refused, and the
/// per-try handler next to the primary handler. Its own type so per-CA clients can copy every other action.
/// </summary>
internal sealed class TlsSetup(string client, X509Certificate2Collection? certificates)
{
    public void Apply(HttpMessageHandlerBuilder builder)
    {
        if (builder.PrimaryHandler is not SocketsHttpHandler sockets)
        {
            throw new InvalidOperationException($"The HTTP client {client} must keep the SocketsHttpHandler of AddDirectoryHttpClient as its primary handler.");
        }

        if (certificates is not null)
        {
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // As SslStream's default: no revocation check (private CAs rarely publish a reachable CRL).
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(certificates);
            sockets.SslOptions.CertificateChainPolicy = policy;
        }

        var check = new TlsCertificateCheck(customTrust: certificates is not null);
        sockets.SslOptions.RemoteCertificateValidationCallback = check.Validate;

        var services = builder.Services;
        var options = services.GetRequiredService<IOptionsMonitor<DirectoryHttpClientOptions>>().Get(client);
        builder.AdditionalHandlers.Add(new DirectoryHttpAttemptHandler(client, options.RateLimitPolicy, services.GetRequiredService<HttpPauseGates>(),
            services.GetRequiredService<TimeProvider>(), check));
    }
}
