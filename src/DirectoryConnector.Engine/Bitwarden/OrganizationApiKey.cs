using System.Security.Cryptography;
using System.Text;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Bitwarden;

/// <summary>An organization API key. ToString never shows the secret.</summary>
public sealed class OrganizationApiKey
{
    private const string ClientIdPrefix = "organization.";

    /// <exception cref="SyncFailedException">InvalidSpec when the client id is not organization.&lt;guid&gt; or the secret is empty.
    /// The message never contains either value: a secret pasted under the wrong key must not leak.</exception>
    public OrganizationApiKey(string clientId, string clientSecret)
    {
        // Secrets created from files often end with a newline.
        var id = clientId?.Trim() ?? "";
        if (!id.StartsWith(ClientIdPrefix, StringComparison.OrdinalIgnoreCase)
            || !Guid.TryParse(id.AsSpan(ClientIdPrefix.Length), out var organizationGuid))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                "The API key's client id (spec.bitwarden.apiKeySecretRef.clientIdKey) must be \"organization.<organization id>\" as shown in the "
                + "organization's Admin Console > Settings > Organization info > API key; the value in the Secret is not.", retryable: false);
        }

        if (string.IsNullOrWhiteSpace(clientSecret))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                "The API key's client secret (spec.bitwarden.apiKeySecretRef.clientSecretKey) is empty in the Secret.", retryable: false);
        }

        OrganizationGuid = organizationGuid;
        ClientId = ClientIdPrefix + organizationGuid.ToString("D");
        ClientSecret = clientSecret.Trim();
        SecretFingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(ClientSecret)));
    }

    public string ClientId { get; }

    /// <summary>The id after "organization." in the client id.</summary>
    public string OrganizationId => OrganizationGuid.ToString("D");

    internal Guid OrganizationGuid { get; }

    internal string ClientSecret { get; }

    /// <summary>Distinguishes two secrets of one client id (a rotated key) without keeping the secret in a cache key.</summary>
    internal string SecretFingerprint { get; }

    /// <summary>Checks spec.bitwarden.organizationId against the key: when set, it must name the same organization.</summary>
    /// <exception cref="SyncFailedException">InvalidSpec naming spec.bitwarden.organizationId.</exception>
    public void EnsureOrganization(string? specOrganizationId)
    {
        if (string.IsNullOrWhiteSpace(specOrganizationId))
        {
            return;
        }

        if (!Guid.TryParse(specOrganizationId.Trim(), out var specGuid))
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"spec.bitwarden.organizationId '{specOrganizationId}' is not an organization id (a GUID).", retryable: false);
        }

        if (specGuid != OrganizationGuid)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                $"spec.bitwarden.organizationId {specGuid:D} does not match the organization of the API key's client id ({OrganizationId}); "
                + "the API key belongs to another organization. Put that organization's API key in the Secret named by spec.bitwarden.apiKeySecretRef, "
                + "or correct spec.bitwarden.organizationId.", retryable: false);
        }
    }

    public override string ToString() => $"OrganizationApiKey {{ ClientId = {ClientId}, ClientSecret = *** }}";
}
