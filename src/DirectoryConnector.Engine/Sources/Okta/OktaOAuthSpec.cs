using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources.Okta;

[Description("An Okta API Services app: client credentials from the org authorization server with a private_key_jwt client assertion.")]
public sealed class OktaOAuthSpec
{
    [Required]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    [Description("The app's client ID.")]
    public string ClientId { get; set; } = "";

    [Required]
    [Description("The Secret key holding the app's private key: a JWK (JSON) or PEM (PKCS#8, PKCS#1 RSA or EC), whose public key is in the app's JWKS.")]
    public SecretKeyRef PrivateKeySecretRef { get; set; } = new();

    [Description("The key ID (kid) to put in the assertion's header; defaults to the JWK's kid. Needed when the app has several keys.")]
    public string? KeyId { get; set; }
}
