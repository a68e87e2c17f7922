using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>spec.source.okta as the validator reads it: the org URL as written, and exactly one credential.</summary>
public sealed class OktaSpecTests
{
    [Theory]
    [InlineData("https://example.okta.com", null)]
    [InlineData("https://login.example.com:8443/", null)]
    [InlineData("https://example-admin.okta.com", "is the Admin Console URL; use the org URL without -admin")]
    [InlineData("https://example.okta.com/api/v1", "includes an API path; give the org URL only")]
    [InlineData("https://example.okta.com/oauth2/default", "includes an API path; give the org URL only")]
    public void The_org_url_is_taken_as_written_unless_it_is_the_admin_console_or_an_api_path(string orgUrl, string? problem)
    {
        var errors = Errors(new OktaSourceSpec { OrgUrl = orgUrl, TokenSecretRef = new SecretKeyRef { Name = "okta-api", Key = "token" } });

        if (problem is null)
        {
            errors.Should().BeEmpty();
        }
        else
        {
            errors.Should().ContainSingle().Which.Should().StartWith("spec.source.okta.orgUrl: ").And.Contain(problem);
        }
    }

    [Fact]
    public void Exactly_one_of_the_api_token_and_the_service_app_is_set()
    {
        var both = new OktaSourceSpec
        {
            OrgUrl = "https://example.okta.com",
            TokenSecretRef = new SecretKeyRef { Name = "okta-api", Key = "token" },
            OAuth = new OktaOAuthSpec { ClientId = "0oa1example", PrivateKeySecretRef = new SecretKeyRef { Name = "okta-app", Key = "private-key" } },
        };
        var neither = new OktaSourceSpec { OrgUrl = "https://example.okta.com" };

        Errors(both).Should().ContainSingle().Which.Should().StartWith("spec.source.okta").And.Contain("set exactly one of tokenSecretRef (API token) or oauth (service app)");
        Errors(neither).Should().ContainSingle().Which.Should().StartWith("spec.source.okta").And.Contain("set exactly one of tokenSecretRef (API token) or oauth (service app)");
    }

    private static List<string> Errors(OktaSourceSpec okta) => [.. EngineServices.Validator.Validate(new DirectorySyncSpec
    {
        Bitwarden = new BitwardenSpec { ServerUrl = BitwardenSpec.CloudUs, ApiKeySecretRef = new ApiKeySecretRef { Name = "bw" } },
        Source = new SourceSpec { Okta = okta },
    }).Select(e => e.ToString())];
}
