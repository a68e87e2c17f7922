// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

public class BitwardenEndpointsTests
{
    [Theory]
    [InlineData("https://vault.bitwarden.com", null, null, "https://api.bitwarden.com", "https://identity.bitwarden.com")]
    [InlineData("https://vault.bitwarden.com/", null, null, "https://api.bitwarden.com", "https://identity.bitwarden.com")]
    [InlineData("", null, null, "https://api.bitwarden.com", "https://identity.bitwarden.com")]
    [InlineData("  ", null, null, "https://api.bitwarden.com", "https://identity.bitwarden.com")]
    [InlineData("https://VAULT.bitwarden.eu", null, null, "https://api.bitwarden.eu", "https://identity.bitwarden.eu")]
    [InlineData("https://bitwarden.corp.example.com", null, null, "https://bitwarden.corp.example.com/api", "https://bitwarden.corp.example.com/identity")]
    [InlineData("https://corp.example.com/tools/bitwarden/", null, null, "https://corp.example.com/tools/bitwarden/api", "https://corp.example.com/tools/bitwarden/identity")]
    [InlineData("http://127.0.0.1:8080", null, null, "http://127.0.0.1:8080/api", "http://127.0.0.1:8080/identity")]
    [InlineData("https://vault.bitwarden.com:8443", null, null, "https://vault.bitwarden.com:8443/api", "https://vault.bitwarden.com:8443/identity")]
    [InlineData("https://vault.bitwarden.eu", "https://api.internal.example.com/", null, "https://api.internal.example.com", "https://identity.bitwarden.eu")]
    [InlineData("https://vw.example.com", "", "https://login.example.com/identity", "https://vw.example.com/api", "https://login.example.com/identity")]
    public void Derives_api_and_identity_urls(string serverUrl, string? apiUrl, string? identityUrl, string expectedApi, string expectedIdentity)
    {
        var endpoints = BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = serverUrl, ApiUrl = apiUrl, IdentityUrl = identityUrl });

        endpoints.ApiUrl.Should().Be(new Uri(expectedApi));
        endpoints.IdentityUrl.Should().Be(new Uri(expectedIdentity));
    }

    [Fact]
    public void Import_and_token_urls_keep_a_path_prefix()
    {
        var endpoints = BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = "https://corp.example.com/bitwarden/" });

        endpoints.ImportUrl.AbsoluteUri.Should().Be("https://corp.example.com/bitwarden/api/public/organization/import");
        endpoints.TokenUrl.AbsoluteUri.Should().Be("https://corp.example.com/bitwarden/identity/connect/token");
        BitwardenEndpoints.FromSpec(new BitwardenSpec()).ImportUrl.AbsoluteUri.Should().Be("https://api.bitwarden.com/public/organization/import");
    }

    [Theory]
    [InlineData("vault.example.com", null, null, "spec.bitwarden.serverUrl")]
    [InlineData("ftp://vault.example.com", null, null, "spec.bitwarden.serverUrl")]
    [InlineData("https://vault.example.com/?org=1", null, null, "spec.bitwarden.serverUrl")]
    [InlineData("https://vault.example.com", "api.example.com", null, "spec.bitwarden.apiUrl")]
    [InlineData("https://vault.example.com", null, "/identity", "spec.bitwarden.identityUrl")]
    public void A_malformed_url_is_invalid_spec_naming_the_field(string serverUrl, string? apiUrl, string? identityUrl, string field)
    {
        var act = () => BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = serverUrl, ApiUrl = apiUrl, IdentityUrl = identityUrl });

        var failure = act.Should().Throw<SyncFailedException>().Which;
        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().StartWith(field);
    }

    [Fact]
    public void Credentials_in_a_url_are_refused_without_being_repeated()
    {
        var act = () => BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = "https://admin:hunter2@vault.example.com" });

        act.Should().Throw<SyncFailedException>()
            .Which.Message.Should().Contain("spec.bitwarden.serverUrl").And.NotContain("hunter2");
    }
}
