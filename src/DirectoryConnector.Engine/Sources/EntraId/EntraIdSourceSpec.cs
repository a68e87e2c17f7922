using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources.EntraId;

[Description("A Microsoft Entra ID (Azure AD) tenant, read through Microsoft Graph with an application's client credentials. Needs the application permissions User.Read.All, Group.Read.All (or GroupMember.Read.All) and, for administrative-unit filters, AdministrativeUnit.Read.All, with admin consent.")]
[ExactlyOneOf("set exactly one of clientSecretRef (a client secret) or clientCertificateSecretRef (a certificate)", nameof(ClientSecretRef), nameof(ClientCertificateSecretRef))]
public sealed class EntraIdSourceSpec
{
    [Required]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    [Description("The tenant id (a GUID) or its primary domain, e.g. contoso.onmicrosoft.com.")]
    public string Tenant { get; set; } = "";

    [Required]
    [StringLength(int.MaxValue, MinimumLength = 1)]
    [Description("The application (client) id of the app registration.")]
    public string ApplicationId { get; set; } = "";

    [Description("The Secret key holding a client secret of the application. Set this or clientCertificateSecretRef.")]
    public SecretKeyRef? ClientSecretRef { get; set; }

    [Description("The Secret key holding a PEM certificate and its private key registered on the application. Set this or clientSecretRef.")]
    public SecretKeyRef? ClientCertificateSecretRef { get; set; }

    [Description("The Microsoft cloud: global, usGovernment or china. Sets the login and Graph hosts.")]
    public EntraIdCloud Cloud { get; set; } = EntraIdCloud.Global;

    [Description("Overrides the login host the cloud implies, e.g. https://login.microsoftonline.us.")]
    public string? AuthorityHost { get; set; }

    [Description("Overrides the Graph base the cloud implies, e.g. https://graph.microsoft.us.")]
    public string? GraphUrl { get; set; }

    [Description("Syncs guest users (userType Guest, #EXT# user principal names). The original connector skips them.")]
    public bool IncludeGuests { get; set; }

    [Description("A Secret key holding PEM CA certificate(s) to trust for the login and Graph hosts (TLS-inspecting proxies); the system trust store otherwise.")]
    public SecretKeyRef? CaSecretRef { get; set; }
}
