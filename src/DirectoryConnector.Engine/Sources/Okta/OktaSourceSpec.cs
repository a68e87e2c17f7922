using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources.Okta;

[Description("An Okta org, read through the Management API with an API token or an OAuth 2.0 service app.")]
[ExactlyOneOf("set exactly one of tokenSecretRef (API token) or oauth (service app)", nameof(TokenSecretRef), nameof(OAuth))]
public sealed class OktaSourceSpec
{
    [Required]
    [Description("The org URL, e.g. https://example.okta.com or a custom domain; scheme, host and port are used as written.")]
    public string OrgUrl { get; set; } = "";

    [Description("The Secret key holding an API token (sent as Authorization: SSWS <token>); its admin needs the Read-only Administrator role.")]
    public SecretKeyRef? TokenSecretRef { get; set; }

    [JsonPropertyName("oauth")]
    [Description("An API Services app (client credentials with a private-key JWT), granted okta.users.read and okta.groups.read and the Read-only Administrator role. Okta recommends it over API tokens.")]
    public OktaOAuthSpec? OAuth { get; set; }

    [Description("The Secret key holding PEM CA certificates to trust for the org URL (a TLS-inspecting proxy); the system store when omitted.")]
    public SecretKeyRef? CaSecretRef { get; set; }

    [Description("Also invite users whose Okta status is STAGED or PROVISIONED (never activated). Default false: they are reported as skipped.")]
    public bool IncludeUnactivatedUsers { get; set; }
}
