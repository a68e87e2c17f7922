using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Http;

/// <summary>The one reading of a caSecretRef's PEM bundle (the HTTP clients' and the LDAP source's) and the one message
/// for a bundle that is not one, naming the spec field, the Secret and its key; never quoting the bundle.</summary>
internal static class CaBundle
{
    private const string BeginCertificate = "-----BEGIN CERTIFICATE-----";

    /// <exception cref="FormatException">The text holds no certificate, or a block that is not one.</exception>
    public static X509Certificate2Collection Parse(string caPem)
    {
        var certificates = new X509Certificate2Collection();
        try
        {
            certificates.ImportFromPem(caPem);
        }
        catch (CryptographicException exception)
        {
            throw new FormatException($"the CA bundle is not valid PEM: {exception.Message}", exception);
        }

        if (certificates.Count == 0)
        {
            // A BEGIN line without a certificate is a sample's placeholder or a copy whose base64 was damaged.
            throw new FormatException(caPem.Contains(BeginCertificate, StringComparison.Ordinal)
                ? $"the CA bundle holds no PEM certificate: its {BeginCertificate} block is not base64 of a certificate (a placeholder, or a damaged copy); put the CA's PEM certificate there"
                : $"the CA bundle holds no PEM certificate ({BeginCertificate})");
        }

        return certificates;
    }

    /// <summary>Throws the InvalidSpec of <see cref="Invalid"/> when <paramref name="caPem"/> (the value of
    /// <paramref name="caSecretRef"/>) is set and holds no usable certificate.</summary>
    public static void Check(string? caPem, SecretKeyRef? caSecretRef, string caField)
    {
        if (caPem is null || caSecretRef is null)
        {
            return;
        }

        try
        {
            Parse(caPem);
        }
        catch (FormatException invalid)
        {
            throw Invalid(caField, caSecretRef, invalid);
        }
    }

    public static SyncFailedException Invalid(string caField, SecretKeyRef caSecretRef, FormatException invalid)
        => new(SyncFailureReason.InvalidSpec, $"{caField} (key {caSecretRef.Key} of Secret {caSecretRef.Name}): {invalid.Message}.", retryable: false, invalid);
}
