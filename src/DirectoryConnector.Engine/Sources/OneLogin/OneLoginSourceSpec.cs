using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources.OneLogin;

[Description("OneLogin, read through its v2 API with an API credential: users, and roles as groups (as the original connector).")]
public sealed class OneLoginSourceSpec
{
    [AllowedValues("us", "eu")]
    [Description("Region of the OneLogin account: us (https://api.us.onelogin.com) or eu (https://api.eu.onelogin.com).")]
    public string Region { get; set; } = "us";

    [Description("Overrides the API URL derived from region, e.g. https://example.onelogin.com. HTTPS only.")]
    public string? ApiUrl { get; set; }

    [Required]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    [Description("Client id of the API credential (Administration > Developers > API Credentials) with the scope Read users (or Read All, Manage users, Manage All).")]
    public string ClientId { get; set; } = "";

    [Required]
    [Description("The Secret key holding the API credential's client secret.")]
    public SecretKeyRef ClientSecretRef { get; set; } = new();

    [Description("Builds an email from username + emailSuffix for users whose email and username are both not email addresses.")]
    public bool UseEmailPrefixSuffix { get; set; }

    [Description("Appended to the username when useEmailPrefixSuffix is on, e.g. @example.com.")]
    public string? EmailSuffix { get; set; }

    [Description("A Secret key holding the PEM CA certificate(s) to trust for the API (e.g. a TLS-inspecting proxy's CA); the system trust store otherwise.")]
    public SecretKeyRef? CaSecretRef { get; set; }

    /// <summary>The API base URL with a trailing slash: apiUrl when set, else https://api.{region}.onelogin.com/.</summary>
    internal Uri BaseUrl()
    {
        var text = string.IsNullOrWhiteSpace(ApiUrl) ? $"https://api.{Region.Trim().ToLowerInvariant()}.onelogin.com" : ApiUrl.Trim();
        return new Uri(text.EndsWith('/') ? text : text + "/");
    }
}
