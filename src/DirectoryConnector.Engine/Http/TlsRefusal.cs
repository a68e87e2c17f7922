using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace DirectoryConnector.Engine.Http;

/// <summary>Why one certificate was refused, and what it said about itself (public data only).</summary>
internal sealed record TlsRefusal(TlsFailureCause Cause, string? Subject, string? Issuer, DateTime? NotBefore, DateTime? NotAfter, IReadOnlyList<string> Names)
{
    public static TlsRefusal From(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        var cause = TlsFailureCause.Handshake;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            cause |= TlsFailureCause.NoCertificate;
        }

        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            cause |= TlsFailureCause.NameMismatch;
        }

        var status = chain?.ChainStatus.Aggregate(X509ChainStatusFlags.NoError, (all, s) => all | s.Status) ?? X509ChainStatusFlags.NoError;
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateChainErrors))
        {
            var untrusted = X509ChainStatusFlags.UntrustedRoot | X509ChainStatusFlags.PartialChain | X509ChainStatusFlags.NotSignatureValid
                | X509ChainStatusFlags.ExplicitDistrust | X509ChainStatusFlags.NotValidForUsage | X509ChainStatusFlags.InvalidBasicConstraints;
            if ((status & untrusted) != 0 || (status & X509ChainStatusFlags.NotTimeValid) == 0)
            {
                cause |= TlsFailureCause.UntrustedChain;
            }
        }

        using var server = certificate is null ? null : new X509Certificate2(certificate);
        var now = DateTime.Now;
        if ((status & X509ChainStatusFlags.NotTimeValid) != 0 || (server is not null && (server.NotAfter < now || server.NotBefore > now)))
        {
            // ChainStatus does not say which end of the validity period: the dates of the leaf do.
            cause |= server is not null && server.NotBefore > now ? TlsFailureCause.NotYetValid : TlsFailureCause.Expired;
        }

        return new TlsRefusal(cause, server?.Subject, server?.Issuer, server?.NotBefore.ToUniversalTime(), server?.NotAfter.ToUniversalTime(), NamesOf(server));
    }

    private static string[] NamesOf(X509Certificate2? certificate)
    {
        if (certificate is null)
        {
            return [];
        }

        var names = new List<string>();
        foreach (var extension in certificate.Extensions.OfType<X509SubjectAlternativeNameExtension>())
        {
            names.AddRange(extension.EnumerateDnsNames());
            names.AddRange(extension.EnumerateIPAddresses().Select(address => address.ToString()));
        }

        if (names.Count == 0 && certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false) is { Length: > 0 } commonName)
        {
            names.Add(commonName);
        }

        return [.. names.Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"TlsRefusal {{ Cause = {Cause}, Subject = {Subject} }}");
}
