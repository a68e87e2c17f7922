namespace DirectoryConnector.Engine.Sources.Okta;

/// <summary>Whose token an <see cref="OktaAccessTokenCache"/> entry is: the token endpoint (the org), the app, the
/// scopes asked for, and the app's signing key by the RFC 7638 thumbprint of its public half, its kid and algorithm.</summary>
internal readonly record struct OktaTokenCacheKey(string TokenUrl, string ClientId, string Scopes, string KeyThumbprint, string? KeyId, string Algorithm);
