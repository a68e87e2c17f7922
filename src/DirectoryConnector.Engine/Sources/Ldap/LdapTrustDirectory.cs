using System.Formats.Asn1;
using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// A private directory of trusted CA certificates for one connection (SessionOptions.TrustedCertificatesDirectory),
/// so each DirectorySync trusts only its own CA and nothing leaks through process-wide LDAPTLS_* variables.
/// Files are named by OpenSSL's subject hash (what `openssl rehash` writes): libldap built with OpenSSL looks
/// certificates up by that name; the GnuTLS build (Debian) reads every file in the directory.
/// </summary>
internal sealed class LdapTrustDirectory : IDisposable
{
    private LdapTrustDirectory(string path) => Path = path;

    public string Path { get; }

    /// <summary>Writes the PEM certificates; throws InvalidSpec naming <paramref name="field"/> when there are none.</summary>
    public static LdapTrustDirectory Create(string certificatesPem, string field)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(certificatesPem);
        }
        catch (CryptographicException ex)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{field} does not hold PEM certificates: {ex.Message}", retryable: false, ex);
        }

        if (certificates.Count == 0)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec, $"{field} holds no PEM certificate (-----BEGIN CERTIFICATE-----).", retryable: false);
        }

        var path = Directory.CreateTempSubdirectory("directory-connector-ca-").FullName;
        var directory = new LdapTrustDirectory(path);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var certificate in certificates)
        {
            var hash = SubjectHash(certificate.SubjectName);
            var index = 0;
            while (!used.Add($"{hash}.{index}"))
            {
                index++;
            }

            System.IO.File.WriteAllText(System.IO.Path.Combine(path, $"{hash}.{index}"), certificate.ExportCertificatePem() + "\n");
            certificate.Dispose();
        }

        return directory;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A temp directory left behind holds only public certificates.
        }
    }

    /// <summary>OpenSSL's X509_NAME_hash: SHA-1 of the canonical name encoding (string values as lowercase
    /// UTF8String with spaces collapsed, RDN SETs concatenated without the outer SEQUENCE), first 4 bytes little-endian.</summary>
    internal static string SubjectHash(X500DistinguishedName name)
    {
        var canonical = new MemoryStream();
        var reader = new AsnReader(name.RawData, AsnEncodingRules.DER);
        var rdnSequence = reader.ReadSequence();
        while (rdnSequence.HasData)
        {
            var set = rdnSequence.ReadSetOf();
            var writer = new AsnWriter(AsnEncodingRules.DER);
            using (writer.PushSetOf())
            {
                while (set.HasData)
                {
                    var attribute = set.ReadSequence();
                    var oid = attribute.ReadObjectIdentifier();
                    var valueTag = attribute.PeekTag();
                    using (writer.PushSequence())
                    {
                        writer.WriteObjectIdentifier(oid);
                        if (valueTag.TagClass == TagClass.Universal && IsCanonicalizedString((UniversalTagNumber)valueTag.TagValue))
                        {
                            var text = attribute.ReadCharacterString((UniversalTagNumber)valueTag.TagValue);
                            writer.WriteCharacterString(UniversalTagNumber.UTF8String, CanonicalText(text));
                        }
                        else
                        {
                            writer.WriteEncodedValue(attribute.ReadEncodedValue().Span);
                        }
                    }
                }
            }

            canonical.Write(writer.Encode());
        }

#pragma warning disable CA5350 // not a security use: OpenSSL names hashed certificate files with SHA-1
        var digest = SHA1.HashData(canonical.ToArray());
#pragma warning restore CA5350
        var hash = (uint)(digest[0] | (digest[1] << 8) | (digest[2] << 16) | (digest[3] << 24));
        return hash.ToString("x8", CultureInfo.InvariantCulture);
    }

    private static bool IsCanonicalizedString(UniversalTagNumber tag) => tag is UniversalTagNumber.UTF8String
        or UniversalTagNumber.BMPString or UniversalTagNumber.UniversalString or UniversalTagNumber.PrintableString
        or UniversalTagNumber.T61String or UniversalTagNumber.IA5String or UniversalTagNumber.VisibleString;

    private static string CanonicalText(string text)
    {
        var builder = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var c in text.Trim(' ', '\t', '\n', '\v', '\f', '\r'))
        {
            if (c is ' ' or '\t' or '\n' or '\v' or '\f' or '\r')
            {
                pendingSpace = true;
                continue;
            }

            if (pendingSpace)
            {
                builder.Append(' ');
                pendingSpace = false;
            }

            builder.Append(c < 0x80 ? char.ToLowerInvariant(c) : c);
        }

        return builder.ToString();
    }
}
