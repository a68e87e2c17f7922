// Test names are sentences.

using System.Security.Cryptography.X509Certificates;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Http;

/// <summary>Real TLS handshakes with a loopback Kestrel server whose certificate a throwaway CA issued.</summary>
public class TlsTrustTests
{
    private static readonly TestCertificates Certificates = TestCertificates.Create("Http Test CA");

    private static Task<LoopbackHttpsServer> ServerAsync(X509Certificate2 certificate) =>
        LoopbackHttpsServer.StartAsync(certificate, context => context.Response.WriteAsync("ok"));

    [Fact]
    public async Task A_private_CA_is_trusted_only_by_the_client_given_its_bundle()
    {
        await using var server = await ServerAsync(Certificates.ServerCertificate());
        await using var services = HttpTestKit.Services();

        var trusted = await services.Client(Certificates.CaPem).Http.GetStringAsync(new Uri(server.BaseUrl, "status"));
        var act = () => services.Client().Http.GetStringAsync(new Uri(server.BaseUrl, "status"));

        trusted.Should().Be("ok");
        var failure = (await act.Should().ThrowAsync<HttpTlsException>()).Which;
        failure.Cause.Should().Be(TlsFailureCause.UntrustedChain);
        failure.Message.Should().Contain($"{server.BaseUrl}status").And.Contain("not trusted by the system trust store")
            .And.Contain("CN=Http Test CA").And.Contain("caSecretRef");
        failure.Describe("spec.bitwarden.caSecretRef").Should().Contain("name it in spec.bitwarden.caSecretRef");
        server.Requests.Should().ContainSingle("the untrusted client never got past TLS");
        server.Connections.Should().Be(2, "the untrusted client opened its own connection, once: a TLS failure is not retried");
    }

    [Fact]
    public async Task The_bundle_of_another_CA_does_not_make_the_server_trusted()
    {
        await using var server = await ServerAsync(Certificates.ServerCertificate());
        await using var services = HttpTestKit.Services();

        var act = () => services.Client(TestCertificates.Create("Unrelated CA").CaPem).Http.GetStringAsync(server.BaseUrl);

        var failure = (await act.Should().ThrowAsync<HttpTlsException>()).Which;
        failure.Cause.Should().Be(TlsFailureCause.UntrustedChain);
        failure.Message.Should().Contain("does not chain to a CA in the bundle from caSecretRef");
        server.Connections.Should().Be(1);
    }

    [Fact]
    public async Task A_certificate_for_another_host_name_is_a_name_mismatch_naming_both()
    {
        await using var server = await ServerAsync(Certificates.ServerCertificateFor("vault.corp.example"));
        await using var services = HttpTestKit.Services();

        var act = () => services.Client(Certificates.CaPem).Http.GetStringAsync(server.BaseUrl);

        var failure = (await act.Should().ThrowAsync<HttpTlsException>()).Which;
        failure.Cause.Should().Be(TlsFailureCause.NameMismatch);
        failure.Message.Should().Contain("not valid for the host name '127.0.0.1'").And.Contain("it names vault.corp.example")
            .And.Contain("caSecretRef cannot fix a name mismatch").And.NotContain("not trusted");
        server.Connections.Should().Be(1);
    }

    [Fact]
    public async Task An_expired_certificate_says_when_it_expired()
    {
        using var expired = Certificates.ExpiredServerCertificate();
        await using var server = await ServerAsync(expired);
        await using var services = HttpTestKit.Services();

        var act = () => services.Client(Certificates.CaPem).Http.GetStringAsync(server.BaseUrl);

        var failure = (await act.Should().ThrowAsync<HttpTlsException>()).Which;
        failure.Cause.Should().Be(TlsFailureCause.Expired);
        failure.Message.Should().Contain($"expired on {expired.NotAfter.ToUniversalTime():yyyy-MM-dd HH:mm:ss}Z").And.Contain("renew it on the server");
        server.Connections.Should().Be(1);
    }

    [Fact]
    public async Task Plain_http_at_an_https_url_is_a_handshake_failure_not_a_certificate_one()
    {
        await using var server = await LoopbackHttpsServer.StartAsync(null, context => context.Response.WriteAsync("ok"));
        await using var services = HttpTestKit.Services();
        var https = new UriBuilder(server.BaseUrl) { Scheme = "https" }.Uri;

        var act = () => services.Client().Http.GetStringAsync(https);

        var failure = (await act.Should().ThrowAsync<HttpTlsException>()).Which;
        failure.Cause.Should().Be(TlsFailureCause.Handshake);
        failure.Message.Should().Contain("TLS handshake with").And.Contain("(not plain HTTP)");
        server.Connections.Should().Be(1);
    }

    [Fact]
    public void A_bundle_without_a_certificate_is_refused_without_quoting_it()
    {
        using var services = HttpTestKit.Services();

        var act = () => services.Client("not a certificate: s3cr3t");

        act.Should().Throw<FormatException>().Which.Message.Should().Contain("holds no PEM certificate").And.NotContain("s3cr3t");
    }
}
