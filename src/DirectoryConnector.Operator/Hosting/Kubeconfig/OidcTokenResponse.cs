using System.Text.Json.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>A token endpoint's answer: success (RFC 6749 §5.1 with OpenID Connect Core §12.2's id_token) or error (§5.2).</summary>
internal sealed class OidcTokenResponse
{
    [JsonPropertyName("id_token")]
    public string? IdToken { get; set; }

    [JsonPropertyName("refresh_token")]
    public string? RefreshToken { get; set; }

    [JsonPropertyName("error")]
    public string? Error { get; set; }

    [JsonPropertyName("error_description")]
    public string? ErrorDescription { get; set; }
}
