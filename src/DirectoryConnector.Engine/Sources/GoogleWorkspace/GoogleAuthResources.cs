using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

// A service account's JSON key (https://cloud.google.com/iam/docs/keys-create-delete) and the token endpoint's answer
// (RFC 6749 §5.1 and §5.2), with the snake_case names both use.

internal sealed record GoogleServiceAccountKeyFile(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("client_email")] string? ClientEmail,
    [property: JsonPropertyName("client_id")] string? ClientId,
    [property: JsonPropertyName("private_key_id")] string? PrivateKeyId,
    [property: JsonPropertyName("project_id")] string? ProjectId,
    [property: JsonPropertyName("private_key")] string? PrivateKey);

internal sealed record GoogleTokenResponse(
    [property: JsonPropertyName("access_token")] string? AccessToken,
    [property: JsonPropertyName("expires_in")] double? ExpiresIn,
    [property: JsonPropertyName("token_type")] string? TokenType,
    [property: JsonPropertyName("error")] string? Error,
    [property: JsonPropertyName("error_description")] string? ErrorDescription);
