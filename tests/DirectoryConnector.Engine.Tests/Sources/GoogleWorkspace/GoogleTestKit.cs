using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using Microsoft.Extensions.Logging.Abstractions;

namespace DirectoryConnector.Engine.Tests.Sources.GoogleWorkspace;

internal static class GoogleTestKit
{
    public const string Admin = "admin@example.com";

    /// <summary>A stand-in with an administrator to impersonate.</summary>
    public static async Task<GoogleWorkspaceStandIn> StartAsync()
    {
        var standIn = await GoogleWorkspaceStandIn.StartAsync();
        standIn.AddUser(Admin, isAdmin: true);
        return standIn;
    }

    public static GoogleWorkspaceSourceSpec Spec(GoogleWorkspaceStandIn standIn) => new()
    {
        AdminUser = Admin,
        ServiceAccountKeySecretRef = new() { Name = "google-sa", Key = "key.json" },
        TokenUrl = standIn.TokenUrl.ToString(),
        ApiUrl = standIn.BaseUrl.ToString(),
    };

    /// <summary>An HttpClient trusting only the stand-in's CA (what caSecretRef gives the real client).</summary>
    public static HttpClient HttpClient(string caPem)
    {
        var ca = X509Certificate2.CreateFromPem(caPem);
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(ca);
        return new HttpClient(new SocketsHttpHandler { SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy } });
    }

    internal static GoogleWorkspaceSource Source(GoogleWorkspaceStandIn standIn, GoogleWorkspaceSourceSpec? spec = null, string? key = null,
        GoogleWorkspaceFilter? users = null, GoogleWorkspaceFilter? groups = null, bool removeDisabled = false, HttpClient? http = null) =>
        GoogleWorkspaceSource.Create(spec ?? Spec(standIn), key ?? standIn.ServiceAccount.ToJsonKey(), "key key.json of Secret google-sa",
            users ?? GoogleWorkspaceFilter.None, groups ?? GoogleWorkspaceFilter.None, removeDisabled,
            new GoogleDirectoryClient(http ?? HttpClient(standIn.CaPem)), NullLogger.Instance);
}
