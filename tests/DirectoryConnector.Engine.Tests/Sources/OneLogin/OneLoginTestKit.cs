using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.Engine.Tests.Bitwarden;
using DirectoryConnector.TestSupport.OneLogin;

namespace DirectoryConnector.Engine.Tests.Sources.OneLogin;

internal static class OneLoginTestKit
{
    public const string Field = "spec.source.oneLogin";

    /// <summary>An HttpClient that trusts only the given PEM CA, as caSecretRef makes the real one do.</summary>
    public static HttpClient TrustingHttpClient(string? caPem)
    {
        var handler = new SocketsHttpHandler();
        if (caPem is not null)
        {
            var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            policy.CustomTrustStore.Add(X509Certificate2.CreateFromPem(caPem));
            handler.SslOptions = new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    public static OneLoginClient Client(OneLoginStandIn standIn, ListLogger<OneLoginClient>? logger = null) =>
        new(TrustingHttpClient(standIn.CaPem), TimeProvider.System, logger ?? new ListLogger<OneLoginClient>());

    public static OneLoginConnection Connection(OneLoginStandIn standIn, string? secret = null) =>
        new(new Uri(standIn.BaseUrl, "/"), standIn.ClientId, secret ?? standIn.ClientSecret, Field);

    public static OneLoginStandInUser User(long id, string name, int status = 1) =>
        new(id, name, $"{name}@example.com", status, Firstname: name, Lastname: "Test");

    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }
}
