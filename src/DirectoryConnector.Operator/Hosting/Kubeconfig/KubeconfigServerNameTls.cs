using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// The TLS connection to a cluster as client-go makes it (tls.Config.ServerName): the server name is the cluster's
/// <c>tls-server-name</c>, else the server URL's host; it is sent as SNI and the server's certificate must be issued for
/// it, while the Host header stays the server URL's. KubernetesClient sends tls-server-name as the Host header instead
/// (.NET's HttpClient derives SNI and the certificate check from the Host header), and with a certificate-authority it
/// accepts a certificate of that CA issued for any name; so the TLS connection is made here
/// (<see cref="SocketsHttpHandler.ConnectCallback"/> returning an authenticated <see cref="SslStream"/>). The
/// certificate is trusted as KubernetesClient trusts it: by the system's roots or by the kubeconfig's
/// certificate-authority. Only for a direct connection: with proxy-url .NET makes the TLS connection through the tunnel
/// itself.
/// </summary>
internal sealed class KubeconfigServerNameTls(string serverName, X509Certificate2Collection? authorities, bool skipVerify)
{
    public string ServerName => serverName;

    /// <summary>Makes <paramref name="handler"/>'s connections with this server name (its client certificates kept).</summary>
    public void Configure(SocketsHttpHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        handler.ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            Stream? stream = null;
            try
            {
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                stream = new NetworkStream(socket, ownsSocket: true);
                var tls = new SslStream(stream, leaveInnerStreamOpen: false);
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
                    // Read when connecting: KubernetesClient adds the kubeconfig's client certificate after this setup.
                    ClientCertificates = handler.SslOptions.ClientCertificates,
                    LocalCertificateSelectionCallback = handler.SslOptions.LocalCertificateSelectionCallback,
                    EnabledSslProtocols = handler.SslOptions.EnabledSslProtocols,
                    RemoteCertificateValidationCallback = Validate,
                    // What HttpClient offers itself: h2 for a request that may use HTTP/2 (KubernetesClient asks for 2.0).
                    ApplicationProtocols = context.InitialRequestMessage.Version >= HttpVersion.Version20
                        ? [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11]
                        : [SslApplicationProtocol.Http11],
                }, cancellationToken).ConfigureAwait(false);
                return tls;
            }
            catch
            {
                if (stream is null)
                {
                    socket.Dispose();
                }
                else
                {
                    await stream.DisposeAsync().ConfigureAwait(false);
                }

                throw;
            }
        };
    }

    private bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (skipVerify)
        {
            return true;
        }

        // The name was checked against the server name (SslStream's TargetHost); a mismatch is never forgiven.
        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable) || errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            return false;
        }

        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (authorities is not { Count: > 0 })
        {
            return false;
        }

        using var custom = new X509Chain();
        custom.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        custom.ChainPolicy.CustomTrustStore.AddRange(authorities);
        custom.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain is not null)
        {
            // The intermediates the server sent.
            foreach (var element in chain.ChainElements)
            {
                custom.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        return custom.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
    }
}
