using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>A throwaway CA and a server certificate it signs for 127.0.0.1/localhost, as PEM text; more server
/// certificates on request (expired, for another host name).</summary>
public sealed class TestCertificates
{
    private readonly X509Certificate2 ca;

    private TestCertificates(X509Certificate2 ca, string serverCertificatePem, string serverKeyPem)
    {
        this.ca = ca;
        CaPem = ca.ExportCertificatePem();
        ServerCertificatePem = serverCertificatePem;
        ServerKeyPem = serverKeyPem;
    }

    public string CaPem { get; }

    public string ServerCertificatePem { get; }

    /// <summary>Unencrypted PKCS#8, as slapd reads it.</summary>
    public string ServerKeyPem { get; }

    /// <param name="serverNames">DNS names the server certificate is issued for; null (with no
    /// <paramref name="serverAddresses"/>) for 127.0.0.1 and localhost.</param>
    /// <param name="serverAddresses">IP addresses the server certificate is issued for (subjectAltName iPAddress).</param>
    public static TestCertificates Create(string caName = "Directory Connector Test CA", IReadOnlyList<string>? serverNames = null, IReadOnlyList<IPAddress>? serverAddresses = null)
    {
        using var caKey = RSA.Create(2048);
        var caRequest = new CertificateRequest($"CN={caName}, O=Directory Connector Tests", caKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        caRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(caRequest.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        var ca = caRequest.CreateSelfSigned(now.AddDays(-7), now.AddDays(2));
        var (certificate, key) = serverNames is null && serverAddresses is null
            ? Issue(ca, ["localhost"], [IPAddress.Loopback], now.AddHours(-1), now.AddDays(1))
            : Issue(ca, [.. serverNames ?? []], [.. serverAddresses ?? []], now.AddHours(-1), now.AddDays(1));
        return new TestCertificates(ca, certificate, key);
    }

    /// <summary>The server certificate (127.0.0.1, localhost) with its private key, as Kestrel takes it.</summary>
    public X509Certificate2 ServerCertificate() => X509Certificate2.CreateFromPem(ServerCertificatePem, ServerKeyPem);

    /// <summary>A server certificate for 127.0.0.1 and localhost that expired yesterday.</summary>
    public X509Certificate2 ExpiredServerCertificate()
    {
        var now = DateTimeOffset.UtcNow;
        var (certificate, key) = Issue(ca, ["localhost"], [IPAddress.Loopback], now.AddDays(-3), now.AddDays(-1));
        return X509Certificate2.CreateFromPem(certificate, key);
    }

    /// <summary>A valid server certificate for another host name only (no 127.0.0.1, no localhost).</summary>
    public X509Certificate2 ServerCertificateFor(string dnsName)
    {
        var now = DateTimeOffset.UtcNow;
        var (certificate, key) = Issue(ca, [dnsName], [], now.AddHours(-1), now.AddDays(1));
        return X509Certificate2.CreateFromPem(certificate, key);
    }

    private static (string CertificatePem, string KeyPem) Issue(X509Certificate2 ca, string[] dnsNames, IPAddress[] addresses, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var serverKey = RSA.Create(2048);
        var serverRequest = new CertificateRequest($"CN={(addresses.Length > 0 ? addresses[0].ToString() : dnsNames[0])}", serverKey, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var address in addresses)
        {
            names.AddIpAddress(address);
        }

        foreach (var dnsName in dnsNames)
        {
            names.AddDnsName(dnsName);
        }

        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, true, false));
        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7f;
        using var server = serverRequest.Create(ca, notBefore, notAfter, serial);
        return (server.ExportCertificatePem(), serverKey.ExportPkcs8PrivateKeyPem());
    }
}
