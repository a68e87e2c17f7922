using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>spec.source.googleWorkspace: a Google Workspace customer read through the Admin SDK Directory API v1
/// by a service account with domain-wide delegation (https://developers.google.com/admin-sdk/directory/v1/guides/delegation).</summary>
[Description("A Google Workspace account, read through the Admin SDK Directory API by a service account with domain-wide delegation.")]
public sealed class GoogleWorkspaceSourceSpec
{
    [Required]
    [StringLength(254)]
    [Description("The administrator the service account acts as (domain-wide delegation subject), e.g. admin@example.com. Its admin role bounds what the sync can read.")]
    public string AdminUser { get; set; } = "";

    [StringLength(64)]
    [Description("The customer whose users and groups are read: my_customer (the administrator's own account, default) or a customer id such as C03az79cb.")]
    public string Customer { get; set; } = "my_customer";

    [StringLength(253)]
    [Description("Reads only this one domain of a multi-domain customer; every domain of the customer when empty.")]
    public string? Domain { get; set; }

    [Required]
    [Description("The Secret key holding the service account's JSON key, as Google Cloud issues it (it contains client_email and private_key).")]
    public SecretKeyRef ServiceAccountKeySecretRef { get; set; } = new();

    [Description("OAuth 2.0 token endpoint; https://oauth2.googleapis.com/token when empty.")]
    public string? TokenUrl { get; set; }

    [Description("Base URL of the Admin SDK; https://admin.googleapis.com when empty.")]
    public string? ApiUrl { get; set; }

    [Description("A Secret key holding PEM CA certificate(s) to trust for the token endpoint and the Admin SDK (e.g. a TLS-inspecting proxy); the system trust store otherwise.")]
    public SecretKeyRef? CaSecretRef { get; set; }
}
