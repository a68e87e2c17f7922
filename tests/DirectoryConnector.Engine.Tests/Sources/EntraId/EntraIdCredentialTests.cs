using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>clientCertificateSecretRef (Azure.Identity's ClientCertificateCredential signing an RFC 7523 client
/// assertion, which the stand-in checks as Entra does: x5t of a registered certificate, aud, iss/sub, exp, signature)
/// and the login and Graph hosts each cloud implies (learn.microsoft.com/graph/deployments).</summary>
public sealed class EntraIdCredentialTests : EntraIdStandInTest
{
    [Fact]
    public async Task A_client_certificate_credential_signs_in_with_a_pem_certificate_and_key()
    {
        using var certificate = NewCertificate("CN=entra-app");
        StandIn.RegisterCertificate(certificate);
        Tenant.AddUser(User("alice"));

        var snapshot = await CertificateSource(Pem(certificate)).ReadAsync();

        snapshot.Users.Select(u => u.Email).Should().Equal("alice@contoso.com");
        StandIn.TokenRequests.Should().ContainSingle().Which.Body.Should().Contain("client_assertion=").And.NotContain("client_secret");
    }

    [Fact]
    public async Task A_certificate_not_registered_on_the_application_names_clientCertificateSecretRef_and_never_the_key()
    {
        using var registered = NewCertificate("CN=entra-app");
        using var other = NewCertificate("CN=entra-app");
        StandIn.RegisterCertificate(registered);
        var pem = Pem(other);

        var failure = (await FluentActions.Awaiting(() => CertificateSource(pem).ReadAsync()).Should().ThrowAsync<SyncFailedException>()).Which;

        failure.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("AADSTS700027").And.Contain("spec.source.entraId.clientCertificateSecretRef");
        var key = pem[pem.IndexOf("-----BEGIN PRIVATE KEY-----", StringComparison.Ordinal)..].Split('\n')[1];
        failure.ToString().Should().NotContain(key);
        StandIn.GraphRequests.Should().BeEmpty();
    }

    [Fact]
    public void A_certificate_without_its_private_key_is_an_invalid_spec_naming_clientCertificateSecretRef()
    {
        using var certificate = NewCertificate("CN=entra-app");

        var failure = FluentActions.Invoking(() => CertificateSource(certificate.ExportCertificatePem())).Should().Throw<SyncFailedException>().Which;

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().StartWith("spec.source.entraId.clientCertificateSecretRef").And.Contain("PRIVATE KEY");
        StandIn.Requests.Should().BeEmpty();
    }

    [Theory]
    [InlineData(EntraIdCloud.Global, null, null, "https://login.microsoftonline.com/", "https://graph.microsoft.com/v1.0", "https://graph.microsoft.com/.default")]
    [InlineData(EntraIdCloud.UsGovernment, null, null, "https://login.microsoftonline.us/", "https://graph.microsoft.us/v1.0", "https://graph.microsoft.us/.default")]
    [InlineData(EntraIdCloud.China, null, null, "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://microsoftgraph.chinacloudapi.cn/.default")]
    [InlineData(EntraIdCloud.UsGovernment, "https://login.microsoftonline.us", "https://dod-graph.microsoft.us", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/v1.0", "https://dod-graph.microsoft.us/.default")]
    [InlineData(EntraIdCloud.Global, " https://login.example.test/ ", "https://graph.example.test/v1.0", "https://login.example.test/", "https://graph.example.test/v1.0", "https://graph.example.test/.default")]
    public void The_cloud_sets_the_login_host_graph_base_and_token_scope_and_overrides_win(EntraIdCloud cloud, string? authorityHost, string? graphUrl,
        string login, string graph, string scope)
    {
        var endpoints = EntraIdEndpoints.From(new EntraIdSourceSpec { Tenant = "t", ApplicationId = "a", Cloud = cloud, AuthorityHost = authorityHost, GraphUrl = graphUrl });

        (endpoints.AuthorityHost.AbsoluteUri, endpoints.GraphBaseUrl.AbsoluteUri, endpoints.Scope).Should().Be((login, graph, scope));
    }

    [Fact]
    public async Task The_token_is_requested_for_the_graph_root_of_graphUrl()
    {
        Tenant.AddUser(User("alice"));
        var spec = Spec(StandIn);
        spec.Cloud = EntraIdCloud.China; // the overrides win over the cloud's hosts

        await Source(StandIn, spec).ReadAsync();

        var body = Uri.UnescapeDataString(StandIn.TokenRequests.Should().ContainSingle().Which.Body);
        body.Should().Contain($"scope={StandIn.BaseUrl.GetLeftPart(UriPartial.Authority)}/.default");
        StandIn.TokenRequests.Single().Path.Should().Be($"/{StandIn.TenantId}/oauth2/v2.0/token");
    }

    private EntraIdSource CertificateSource(string pem)
    {
        var spec = Spec(StandIn);
        spec.ClientSecretRef = null;
        spec.ClientCertificateSecretRef = new SecretKeyRef { Name = "entra-app-cert", Key = "tls.pem" };
        return EntraIdSourceFactory.Create(spec, Filter(), null, pem, StandIn.CaPem, HttpClients, NullLoggerFactory.Instance);
    }

    private static X509Certificate2 NewCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static string Pem(X509Certificate2 certificate)
        => certificate.ExportCertificatePem() + "\n" + certificate.GetRSAPrivateKey()!.ExportPkcs8PrivateKeyPem();
}
