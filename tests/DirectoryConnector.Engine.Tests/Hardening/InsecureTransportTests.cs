using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>Issue 15's second hole: the API key (and directory credentials) must not go over plain http to another
/// host unless the spec says so explicitly, and then the choice stays visible (InsecureTransport / a CLI warning).</summary>
public sealed class InsecureTransportTests
{
    private static DirectorySyncSpec Spec(string serverUrl = BitwardenSpec.CloudUs) => new()
    {
        Bitwarden = new BitwardenSpec { ServerUrl = serverUrl, ApiKeySecretRef = new ApiKeySecretRef { Name = "bw" } },
        Source = new SourceSpec
        {
            Ldap = new LdapSourceSpec
            {
                Hostname = "dc1.corp.example", Encryption = LdapEncryption.Ldaps, RootPath = "dc=corp", Username = "cn=svc",
                PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
            },
        },
    };

    private static List<string> Errors(DirectorySyncSpec spec) => [.. EngineServices.Validator.Validate(spec).Select(e => e.ToString())];

    private static List<string> Insecure(DirectorySyncSpec spec) => [.. EngineServices.Validator.Check(spec).Insecure.Select(e => e.ToString())];

    [Theory]
    [InlineData("serverUrl", "http://bitwarden.example.com")]
    [InlineData("apiUrl", "http://bitwarden.example.com/api")]
    [InlineData("identityUrl", "http://10.0.0.5:8080/identity")]
    public void PlainHttpToAnotherHostIsRefusedNamingTheFieldAndTheOptIn(string field, string url)
    {
        var spec = Spec();
        _ = field switch
        {
            "serverUrl" => spec.Bitwarden.ServerUrl = url,
            "apiUrl" => spec.Bitwarden.ApiUrl = url,
            _ => spec.Bitwarden.IdentityUrl = url,
        };

        Errors(spec).Should().ContainSingle().Which.Should()
            .StartWith($"spec.bitwarden.{field}: ").And.Contain("uses http://").And.Contain("clear text").And.Contain("spec.allowInsecureHttp: true");
        Insecure(spec).Should().BeEmpty();
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080")]
    [InlineData("http://localhost:8080")]
    [InlineData("http://[::1]:8080")]
    [InlineData("https://vault.example.com")]
    public void LoopbackHttpAndHttpsNeedNoOptIn(string url)
    {
        Errors(Spec(url)).Should().BeEmpty();
        Insecure(Spec(url)).Should().BeEmpty();
    }

    [Fact]
    public void WithTheOptInPlainHttpIsAcceptedAndReportedAsInsecure()
    {
        var spec = Spec("http://bitwarden.example.com");
        spec.AllowInsecureHttp = true;

        Errors(spec).Should().BeEmpty();
        Insecure(spec).Should().ContainSingle().Which.Should().StartWith("spec.bitwarden.serverUrl: uses http:// to bitwarden.example.com");
    }

    [Fact]
    public void ASourceUrlFollowsTheSameRule()
    {
        var spec = Spec();
        spec.Source = new SourceSpec { Okta = new OktaSourceSpec { OrgUrl = "http://corp.okta.example", TokenSecretRef = new SecretKeyRef { Name = "okta", Key = "token" } } };

        Errors(spec).Should().ContainSingle(e => e.StartsWith("spec.source.okta.orgUrl: ", StringComparison.Ordinal))
            .Which.Should().Contain("spec.allowInsecureHttp: true");

        spec.AllowInsecureHttp = true;
        Errors(spec).Should().BeEmpty();
        Insecure(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.okta.orgUrl: uses http:// to corp.okta.example");
    }

    [Fact]
    public void InsecureSkipVerifyIsItsOwnOptInAndIsReportedAsInsecure()
    {
        var spec = Spec();
        spec.Source.Ldap!.InsecureSkipVerify = true;

        Errors(spec).Should().BeEmpty();
        Insecure(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.ldap.insecureSkipVerify: is true").And.Contain("caSecretRef");
    }

    [Fact]
    public void TheEngineRefusesPlainHttpAsInvalidSpec()
    {
        var spec = Spec("http://bitwarden.example.com");

        var failure = EngineServices.Validator.Invoking(v => v.ThrowIfInvalid(spec)).Should().Throw<Sync.SyncFailedException>().Which;

        failure.Reason.Should().Be(Sync.SyncFailureReason.InvalidSpec);
        failure.Retryable.Should().BeFalse();
        failure.Message.Should().Contain("spec.bitwarden.serverUrl");
    }
}
