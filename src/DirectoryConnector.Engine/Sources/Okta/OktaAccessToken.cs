using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>The token endpoint's answer (RFC 6749 §5.1).</summary>
public sealed record OktaAccessToken(
    [property: JsonPropertyName("access_token")] string AccessToken,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn);
