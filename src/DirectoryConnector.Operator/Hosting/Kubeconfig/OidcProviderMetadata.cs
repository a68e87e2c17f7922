using System.Text.Json.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>The part of an OpenID provider's metadata (OpenID Connect Discovery 1.0 §3) a refresh needs.</summary>
internal sealed class OidcProviderMetadata
{
    [JsonPropertyName("issuer")]
    public string? Issuer { get; set; }

    [JsonPropertyName("token_endpoint")]
    public string? TokenEndpoint { get; set; }

    /// <summary>Absent: client_secret_basic (Discovery §3).</summary>
    [JsonPropertyName("token_endpoint_auth_methods_supported")]
    public IReadOnlyList<string>? TokenEndpointAuthMethods { get; set; }
}
