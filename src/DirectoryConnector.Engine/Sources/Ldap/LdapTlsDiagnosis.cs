using System.Formats.Asn1;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Numerics;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;

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

    /// <summary>The server answered the StartTLS request with a result other than success: it offers no TLS on this
    /// port (RFC 4511 §4.12: protocolError for an extended operation it does not recognise; §4.14.2: unavailable when
    /// its TLS subsystem is not available), as a server without a certificate configured does.</summary>
    StartTlsRefused,

    /// <summary>The TLS handshake failed before a certificate was seen, or the answer to StartTLS was not LDAP.</summary>
    HandshakeFailed,
}

/// <summary>The cause of a failed connection and a sentence that names it and the fix; <paramref name="ServerResult"/>
/// is the LDAP result code the server answered with, when it answered (a refused StartTLS).</summary>
internal sealed record LdapConnectDiagnosis(LdapConnectProblem Problem, string Detail, int? ServerResult = null);

/// <summary>
/// libldap reports every connection failure as result 81 (server down), whether the host is unreachable or the TLS
/// handshake refused the certificate. After such a failure this repeats the connection step by step with .NET's own
/// TLS stack and the same trust (the caSecretRef bundle or the system store): TCP, then StartTLS (RFC 4511 §4.14) or
/// the LDAPS handshake, then certificate validation, so the error can say which of them failed and why.
/// </summary>
internal static class LdapTlsDiagnosis
{
    private const string StartTlsOid = "1.3.6.1.4.1.1466.20037";
    private static readonly Asn1Tag ExtendedRequestTag = new(TagClass.Application, 23, isConstructed: true);
    private static readonly Asn1Tag ExtendedResponseTag = new(TagClass.Application, 24, isConstructed: true);

    /// <summary>Null when every step succeeds (the failure was elsewhere: a busy or overloaded server). Each step is
    /// bounded by <paramref name="timeout"/>; <paramref name="cancellationToken"/> (the sync's) cancels it.</summary>
    public static async Task<LdapConnectDiagnosis?> DiagnoseAsync(string host, int port, LdapEncryption encryption, string? caCertificatesPem, bool skipVerify,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync(host, port, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new(LdapConnectProblem.Unreachable, ex is SocketException socket
                ? $"no TCP connection to {host}:{port} ({socket.SocketErrorCode}: {socket.Message})"
                : string.Create(CultureInfo.InvariantCulture, $"no TCP connection to {host}:{port} within {timeout.TotalSeconds:0} s"));
        }

        if (encryption == LdapEncryption.None)
        {
            return null;
        }

        var stream = client.GetStream();
        try
        {
            if (encryption == LdapEncryption.StartTls && await StartTlsRefusalAsync(stream, deadline.Token).ConfigureAwait(false) is { } refusal)
            {
                return refusal;
            }

            return await HandshakeAsync(stream, host, caCertificatesPem, skipVerify, deadline.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new(LdapConnectProblem.HandshakeFailed, $"the connection to {host}:{port} closed during {(encryption == LdapEncryption.StartTls ? "StartTLS" : "the TLS handshake")} ({ex.Message})");
        }
    }

    /// <summary>The StartTLS ExtendedRequest of RFC 4511 §4.14.1 (messageID 1), BER-encoded:
    /// SEQUENCE { messageID INTEGER, [APPLICATION 23] { requestName [0] LDAPOID } }.</summary>
    internal static byte[] StartTlsRequest()
    {
        var writer = new AsnWriter(AsnEncodingRules.BER);
        using (writer.PushSequence())
        {
            writer.WriteInteger(1);
            using (writer.PushSequence(ExtendedRequestTag))
            {
                writer.WriteOctetString(Encoding.ASCII.GetBytes(StartTlsOid), new Asn1Tag(TagClass.ContextSpecific, 0));
            }
        }

        return writer.Encode();
    }

    /// <summary>Null when the server accepts StartTLS, else why not. The answer is an LDAPMessage SEQUENCE { messageID,
    /// [APPLICATION 24] ExtendedResponse { resultCode ENUMERATED, ... } } (RFC 4511 §4.12), read whole.</summary>
    private static async Task<LdapConnectDiagnosis?> StartTlsRefusalAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(StartTlsRequest(), cancellationToken).ConfigureAwait(false);
        var notLdap = new LdapConnectDiagnosis(LdapConnectProblem.HandshakeFailed,
            "the server's answer to StartTLS is not an LDAP extended response: is this port an LDAPS (encryption: ldaps) port?");
        var buffer = new byte[4096];
        var read = 0;
        int length;
        while (!AsnDecoder.TryReadEncodedValue(buffer.AsSpan(0, read), AsnEncodingRules.BER, out _, out _, out _, out length))
        {
            if (read == buffer.Length)
            {
                return notLdap;
            }

            var more = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (more == 0)
            {
                return notLdap;
            }

            read += more;
        }

        int resultCode;
        try
        {
            var message = new AsnReader(buffer.AsMemory(0, length), AsnEncodingRules.BER).ReadSequence();
            message.ReadInteger(); // messageID
            var response = message.ReadSequence(ExtendedResponseTag);
            resultCode = (int)new BigInteger(response.ReadEnumeratedBytes().Span, isUnsigned: false, isBigEndian: true);
        }
        catch (Exception ex) when (ex is AsnContentException or OverflowException)
        {
            return notLdap;
        }

        return resultCode == 0 ? null : new(LdapConnectProblem.StartTlsRefused, $"the server refused StartTLS (LDAP result {resultCode})", resultCode);
    }

    private static async Task<LdapConnectDiagnosis?> HandshakeAsync(NetworkStream stream, string host, string? caCertificatesPem, bool skipVerify, CancellationToken cancellationToken)
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
            await tls.AuthenticateAsClientAsync(options, cancellationToken).ConfigureAwait(false);
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
