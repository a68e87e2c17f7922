using System.Globalization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>What went wrong when a connection failed.</summary>
internal enum LdapConnectProblem
{
    /// <summary>No TCP connection (refused, no route, DNS, timeout).</summary>
    Unreachable,

    /// <summary>The certificate chain does not lead to a trusted CA, or a certificate in it is expired or not yet valid.</summary>
    UntrustedCertificate,

    /// <summary>The certificate is trusted but not issued for the host name the spec connects to.</summary>
    NameMismatch,

    /// <summary>The server refused StartTLS, or the TLS handshake failed before a certificate was seen.</summary>
    HandshakeFailed,
}

/// <summary>The cause of a failed connection and a sentence that names it and the fix.</summary>
internal sealed record LdapConnectDiagnosis(LdapConnectProblem Problem, string Detail);

/// <summary>
/// libldap reports every connection failure as result 81 (server down), whether the host is unreachable or the TLS
/// handshake refused the certificate. After such a failure this repeats the connection step by step with .NET's own
/// TLS stack and the same trust (the caSecretRef bundle or the system store): TCP, then StartTLS (RFC 4511 §4.14) or
/// the LDAPS handshake, then certificate validation, so the error can say which of them failed and why.
/// </summary>
internal static class LdapTlsDiagnosis
{
    // ExtendedRequest StartTLS (messageID 1, requestName 1.3.6.1.4.1.1466.20037), BER as RFC 4511 §4.14.1 specifies.
    private static readonly byte[] StartTlsRequest =
    [
        0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16,
        .. "1.3.6.1.4.1.1466.20037"u8,
    ];

    /// <summary>Null when every step succeeds (the failure was elsewhere: a busy or overloaded server).</summary>
    public static LdapConnectDiagnosis? Diagnose(string host, int port, LdapEncryption encryption, string? caCertificatesPem, bool skipVerify, TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        try
        {
            client.ConnectAsync(host, port, cancellation.Token).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException)
        {
            return new(LdapConnectProblem.Unreachable, ex is SocketException socket
                ? $"no TCP connection to {host}:{port} ({socket.SocketErrorCode}: {socket.Message})"
                : $"no TCP connection to {host}:{port} within {timeout.TotalSeconds:0} s");
        }

        if (encryption == LdapEncryption.None)
        {
            return null;
        }

        var stream = client.GetStream();
        stream.ReadTimeout = stream.WriteTimeout = (int)timeout.TotalMilliseconds;
        try
        {
            if (encryption == LdapEncryption.StartTls && StartTlsRefusal(stream) is { } refusal)
            {
                return new(LdapConnectProblem.HandshakeFailed, refusal);
            }

            return Handshake(stream, host, caCertificatesPem, skipVerify, cancellation.Token);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            return new(LdapConnectProblem.HandshakeFailed, $"the connection to {host}:{port} closed during {(encryption == LdapEncryption.StartTls ? "StartTLS" : "the TLS handshake")} ({ex.Message})");
        }
    }

    private static string? StartTlsRefusal(NetworkStream stream)
    {
        stream.Write(StartTlsRequest);
        // ExtendedResponse: SEQUENCE { messageID, [APPLICATION 24] { resultCode ENUMERATED, ... } }; small enough for one read.
        var buffer = new byte[512];
        var read = stream.Read(buffer);
        var index = Array.IndexOf(buffer, (byte)0x0a, 0, read); // the first ENUMERATED is the resultCode
        if (index < 0 || index + 2 >= read)
        {
            return "the server's answer to StartTLS is not an LDAP extended response: is this port an LDAPS (encryption: ldaps) port?";
        }

        var resultCode = buffer[index + 2];
        return resultCode == 0 ? null : $"the server refused StartTLS (LDAP result {resultCode}): does it have a certificate configured, or does this port expect encryption: ldaps?";
    }

    private static LdapConnectDiagnosis? Handshake(NetworkStream stream, string host, string? caCertificatesPem, bool skipVerify, CancellationToken cancellationToken)
    {
        X509Certificate2? presented = null;
        var errors = SslPolicyErrors.None;
        using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = host,
            RemoteCertificateValidationCallback = (_, certificate, _, policyErrors) =>
            {
                presented = certificate is null ? null : new X509Certificate2(certificate);
                errors = policyErrors;
                return policyErrors == SslPolicyErrors.None;
            },
        };
        try
        {
            tls.AuthenticateAsClientAsync(options, cancellationToken).GetAwaiter().GetResult();
        }
        catch (AuthenticationException ex) when (presented is null)
        {
            return new(LdapConnectProblem.HandshakeFailed, $"the TLS handshake with {host} failed: {ex.InnerException?.Message ?? ex.Message}");
        }
        catch (AuthenticationException)
        {
            // The certificate was refused: the callback kept what is needed to say why.
        }

        using (presented)
        {
            if (presented is null || skipVerify)
            {
                return null;
            }

            // The trust libldap was given: the caSecretRef bundle alone (TrustedCertificatesDirectory), or the system store.
            using var chain = new X509Chain();
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            var anchors = new X509Certificate2Collection();
            if (caCertificatesPem is not null)
            {
                anchors.ImportFromPem(caCertificatesPem);
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
            }

            try
            {
                errors = chain.Build(presented)
                    ? errors & ~SslPolicyErrors.RemoteCertificateChainErrors
                    : errors | SslPolicyErrors.RemoteCertificateChainErrors;
                return Judge(TlsRefusal.From(presented, chain, errors), host);
            }
            finally
            {
                foreach (var anchor in anchors)
                {
                    anchor.Dispose();
                }
            }
        }
    }

    // The same classification as the Bitwarden client's (TlsRefusal), in this source's terms.
    private static LdapConnectDiagnosis? Judge(TlsRefusal refusal, string host)
    {
        var cause = refusal.Cause;
        var certificate = $"the certificate of {host} (subject {refusal.Subject}, issued by {refusal.Issuer})";
        if (cause.HasFlag(TlsFailureCause.Expired))
        {
            return new(LdapConnectProblem.UntrustedCertificate,
                $"{certificate} is not trusted: it expired on {refusal.NotAfter:yyyy-MM-dd HH:mm} UTC (or a CA certificate in its chain did)");
        }

        if (cause.HasFlag(TlsFailureCause.NotYetValid))
        {
            return new(LdapConnectProblem.UntrustedCertificate,
                $"{certificate} is not trusted: it is not valid before {refusal.NotBefore:yyyy-MM-dd HH:mm} UTC (check the clocks)");
        }

        if (cause.HasFlag(TlsFailureCause.UntrustedChain) || cause.HasFlag(TlsFailureCause.NoCertificate))
        {
            return new(LdapConnectProblem.UntrustedCertificate, $"{certificate} is not trusted: its chain does not lead to a trusted CA");
        }

        return cause.HasFlag(TlsFailureCause.NameMismatch)
            ? new(LdapConnectProblem.NameMismatch, $"the certificate of {host} is issued for {string.Join(", ", refusal.Names)}, not for {host}")
            : null;
    }
}
