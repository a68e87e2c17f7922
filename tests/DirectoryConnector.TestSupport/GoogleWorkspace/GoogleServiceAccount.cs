using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;

namespace DirectoryConnector.TestSupport.GoogleWorkspace;

/// <summary>
/// A throwaway Google Cloud service account: an RSA key pair and the JSON key file Google Cloud issues for it
/// (https://cloud.google.com/iam/docs/keys-create-delete#creating), so the token endpoint of
/// <see cref="GoogleWorkspaceStandIn"/> can verify real RS256 assertions against the public half.
/// </summary>
public sealed class GoogleServiceAccount : IDisposable
{
    private readonly RSA key;

    public GoogleServiceAccount(string projectId = "directory-connector-tests", string name = "bitwarden-sync")
    {
        key = RSA.Create(2048);
        ProjectId = projectId;
        ClientEmail = $"{name}@{projectId}.iam.gserviceaccount.com";
        ClientId = string.Concat("1", RandomNumberGenerator.GetInt32(100_000_000, 999_999_999).ToString(CultureInfo.InvariantCulture), "0042", "12345678");
        PrivateKeyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));
    }

    public string ProjectId { get; }

    /// <summary>The JWT issuer (iss) Google expects: the service account's email.</summary>
    public string ClientEmail { get; }

    /// <summary>The OAuth client id an administrator grants domain-wide delegation to (21 digits).</summary>
    public string ClientId { get; }

    public string PrivateKeyId { get; }

    /// <summary>The private key as the JSON key holds it: unencrypted PKCS#8 PEM.</summary>
    public string PrivateKeyPem => key.ExportPkcs8PrivateKeyPem();

    /// <summary>True when <paramref name="signature"/> is this account's RS256 signature of <paramref name="data"/>.</summary>
    public bool Verify(ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        key.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    /// <summary>The JSON key file, field for field as Google Cloud writes it.</summary>
    public string ToJsonKey(string tokenUri = "https://oauth2.googleapis.com/token") => JsonSerializer.Serialize(new Dictionary<string, string>
    {
        ["type"] = "service_account",
        ["project_id"] = ProjectId,
        ["private_key_id"] = PrivateKeyId,
        ["private_key"] = PrivateKeyPem,
        ["client_email"] = ClientEmail,
        ["client_id"] = ClientId,
        ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
        ["token_uri"] = tokenUri,
        ["auth_provider_x509_cert_url"] = "https://www.googleapis.com/oauth2/v1/certs",
        ["client_x509_cert_url"] = $"https://www.googleapis.com/robot/v1/metadata/x509/{Uri.EscapeDataString(ClientEmail)}",
        ["universe_domain"] = "googleapis.com",
    });

    public void Dispose() => key.Dispose();
}
