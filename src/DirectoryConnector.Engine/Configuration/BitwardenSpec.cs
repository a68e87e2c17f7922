using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("The Bitwarden organization and its API key.")]
public sealed class BitwardenSpec
{
    public const string CloudUs = "https://vault.bitwarden.com";

    public const string CloudEu = "https://vault.bitwarden.eu";

    [Description("Base URL of the Bitwarden server: https://vault.bitwarden.com (cloud US), https://vault.bitwarden.eu (cloud EU), or a self-hosted base URL.")]
    [RegularExpression(SpecPatterns.HttpUrl)]
    [StringLength(2048)]
    public string ServerUrl { get; set; } = CloudUs;

    [Description("Overrides the API URL derived from serverUrl (cloud: https://api.bitwarden.com; self-hosted: {serverUrl}/api).")]
    [RegularExpression(SpecPatterns.HttpUrlOrEmpty)]
    [StringLength(2048)]
    public string? ApiUrl { get; set; }

    [Description("Overrides the identity URL derived from serverUrl (cloud: https://identity.bitwarden.com; self-hosted: {serverUrl}/identity).")]
    [RegularExpression(SpecPatterns.HttpUrlOrEmpty)]
    [StringLength(2048)]
    public string? IdentityUrl { get; set; }

    [Description("The Secret key, in this namespace, holding the PEM certificate(s) of the CA that issued the Bitwarden server's TLS certificate (a private CA). "
        + "When set, only these CAs are trusted for Bitwarden; otherwise the system trust store.")]
    public SecretKeyRef? CaSecretRef { get; set; }

    [Description("The organization id. Optional: otherwise taken from the API key's client_id \"organization.<id>\"; when both are set they must agree.")]
    [RegularExpression(SpecPatterns.GuidOrEmpty)]
    public string? OrganizationId { get; set; }

    [Required]
    [Description("The Secret, in this namespace, that holds the organization API key.")]
    public ApiKeySecretRef ApiKeySecretRef { get; set; } = new();

    [Description("Sends invitation emails to new members. When false, servers that support it create them as Staged.")]
    public bool InviteUsersAfterProvisioning { get; set; } = true;
}
