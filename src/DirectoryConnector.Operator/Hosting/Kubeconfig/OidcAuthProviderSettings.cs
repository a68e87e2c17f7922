namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>A kubeconfig user's <c>auth-provider: {name: oidc}</c> settings (client-go's oidc auth provider keys).</summary>
/// <param name="User">The kubeconfig user's name, for messages.</param>
/// <param name="IssuerUrl">idp-issuer-url: discovery is at its /.well-known/openid-configuration.</param>
/// <param name="ClientId">client-id.</param>
/// <param name="ClientSecret">client-secret; null for a public client.</param>
/// <param name="CaPem">idp-certificate-authority(-data) as PEM: the only CAs trusted for the issuer; null: the system's.</param>
internal sealed record OidcAuthProviderSettings(string User, string IssuerUrl, string ClientId, string? ClientSecret, string? CaPem)
{
    /// <summary>How messages name it: "users[dev].user.auth-provider (oidc, idp-issuer-url https://…)".</summary>
    public string Describe() => $"users[{User}].user.auth-provider (oidc, idp-issuer-url {IssuerUrl})";
}
