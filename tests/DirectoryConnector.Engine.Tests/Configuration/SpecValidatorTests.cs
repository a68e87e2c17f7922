using DirectoryConnector.Engine.Configuration;
using FluentAssertions;
using DirectoryConnector.TestSupport;
using Xunit;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Engine.Tests.Configuration;

public sealed class SpecValidatorTests
{
    private static DirectorySyncSpec ValidLdapSpec() => new()
    {
        Interval = "15m",
        Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
        Source = new SourceSpec
        {
            Ldap = new LdapSourceSpec
            {
                Hostname = "dc1.corp.example.com",
                Port = 636,
                Encryption = LdapEncryption.Ldaps,
                CaSecretRef = new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" },
                RootPath = "dc=corp,dc=example,dc=com",
                Username = "cn=svc,dc=corp,dc=example,dc=com",
                PasswordSecretRef = new SecretKeyRef { Name = "corp-ldap-bind", Key = "password" },
            },
        },
    };

    private static List<string> Errors(DirectorySyncSpec spec)
        => EngineServices.Validator.Validate(spec).Select(e => e.ToString()).ToList();

    [Fact]
    public void ACompleteSpecHasNoErrors()
        => Errors(ValidLdapSpec()).Should().BeEmpty();

    [Fact]
    public void TwoSourcesAreRefused()
    {
        var spec = ValidLdapSpec();
        spec.Source.File = new FileSourceSpec { Path = "directory.ldif" };
        Errors(spec).Should().Contain("spec.source: ldap and file are both set: set exactly one source: ldap or file or okta or oneLogin or googleWorkspace or entraId");
    }

    [Fact]
    public void NoSourceIsRefused()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap = null;
        Errors(spec).Should().ContainSingle().Which.Should().Be("spec.source: set exactly one source: ldap or file or okta or oneLogin or googleWorkspace or entraId");
    }

    [Theory]
    [InlineData("30s", "spec.interval: 30s is shorter than the minimum of 1m")]
    [InlineData("59s", "spec.interval: 59s is shorter than the minimum of 1m")]
    [InlineData("15 minutes", "spec.interval: \"15 minutes\" is not a duration; write it like 15m, 1h30m or 90s")]
    public void IntervalMustBeADurationOfAtLeastAMinute(string interval, string expected)
    {
        var spec = ValidLdapSpec();
        spec.Interval = interval;
        Errors(spec).Should().Equal(expected);
    }

    [Fact]
    public void OneMinuteIsTheMinimumInterval()
    {
        var spec = ValidLdapSpec();
        spec.Interval = "1m";
        Errors(spec).Should().BeEmpty();
    }

    [Theory]
    [InlineData("vault.example.com")]
    [InlineData("ftp://vault.example.com")]
    [InlineData("/relative/path")]
    public void ServerUrlMustBeAbsoluteHttp(string url)
    {
        var spec = ValidLdapSpec();
        spec.Bitwarden.ServerUrl = url;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith($"spec.bitwarden.serverUrl: \"{url}\" is not an absolute https URL such as https://vault.bitwarden.com");
    }

    [Fact]
    public void EmptyOptionalUrlsAreAllowedButBadOnesAreNamed()
    {
        var spec = ValidLdapSpec();
        spec.Bitwarden.ApiUrl = "";
        spec.Bitwarden.IdentityUrl = "identity.example.com";
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.bitwarden.identityUrl:");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65536)]
    [InlineData(-1)]
    public void PortMustBeInRange(int port)
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.Port = port;
        Errors(spec).Should().Equal($"spec.source.ldap.port: {port} is not a port: use 1 to 65535");
    }

    [Theory]
    [InlineData("soon", "spec.source.ldap.timeout: \"soon\" is not a duration; write it like 15m, 1h30m or 90s")]
    [InlineData("500ms", "spec.source.ldap.timeout: 500ms is shorter than the minimum of 1s")]
    public void LdapTimeoutMustBeADurationOfAtLeastASecond(string timeout, string error)
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.Timeout = timeout;
        Errors(spec).Should().Equal(error);

        spec.Source.Ldap.Timeout = "45s";
        Errors(spec).Should().BeEmpty();
    }

    [Fact]
    public void ACaWithNoEncryptionIsContradictory()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.Encryption = LdapEncryption.None;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.ldap.caSecretRef: is set but encryption is none");
    }

    [Fact]
    public void SkippingVerificationWithNoEncryptionOrWithACaIsContradictory()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.InsecureSkipVerify = true;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.ldap.insecureSkipVerify: contradicts caSecretRef");

        spec.Source.Ldap.CaSecretRef = null;
        spec.Source.Ldap.Encryption = LdapEncryption.None;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.ldap.insecureSkipVerify: is true but encryption is none");
    }

    [Fact]
    public void NothingToSyncIsRefused()
    {
        var spec = ValidLdapSpec();
        spec.Sync.Users = false;
        spec.Sync.Groups = false;
        Errors(spec).Should().Equal("spec.sync: users and groups are both false: there is nothing to sync");
    }

    [Fact]
    public void OverwriteWithoutUsersIsRefusedBecauseItWouldRemoveEveryone()
    {
        var spec = ValidLdapSpec();
        spec.Sync.Users = false;
        spec.Sync.OverwriteExisting = true;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.sync.overwriteExisting: is true while users is false");
    }

    [Fact]
    public void FileSourceNeedsExactlyOneOfPathAndConfigMap()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap = null;
        spec.Source.File = new FileSourceSpec();
        Errors(spec).Should().Equal("spec.source.file: set exactly one of path (CLI) or configMapRef (operator)");

        spec.Source.File = new FileSourceSpec { Path = "a.ldif", ConfigMapRef = new ConfigMapKeyRef { Name = "dir", Key = "a.ldif" } };
        Errors(spec).Should().Equal("spec.source.file: path and configMapRef are both set: set exactly one of path (CLI) or configMapRef (operator)");

        spec.Source.File = new FileSourceSpec { ConfigMapRef = new ConfigMapKeyRef { Name = "dir" } };
        Errors(spec).Should().Equal("spec.source.file.configMapRef.key: is required");
    }

    [Fact]
    public void EveryProblemIsReportedAtOnceWithItsField()
    {
        var spec = ValidLdapSpec();
        spec.Interval = "30s";
        spec.Bitwarden.ApiKeySecretRef.Name = "";
        spec.Source.Ldap!.Hostname = "ldaps://dc1.corp.example.com";
        spec.Source.Ldap.RootPath = "";
        spec.Source.Ldap.PasswordSecretRef.Key = "";

        EngineServices.Validator.Validate(spec).Select(e => e.Path).Should().BeEquivalentTo(
            "spec.interval",
            "spec.bitwarden.apiKeySecretRef.name",
            "spec.source.ldap.hostname",
            "spec.source.ldap.rootPath",
            "spec.source.ldap.passwordSecretRef.key");
    }

    [Fact]
    public void EmailPrefixSuffixNeedsASuffix()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.UseEmailPrefixSuffix = true;
        Errors(spec).Should().ContainSingle().Which.Should().StartWith("spec.source.ldap.emailSuffix: is required when useEmailPrefixSuffix is true");
    }

    [Fact]
    public void AnEmailSuffixWithoutAnAtSignIsBadInputSayingWhatToWrite()
    {
        var spec = ValidLdapSpec();
        spec.Source.Ldap!.UseEmailPrefixSuffix = true;
        spec.Source.Ldap.EmailSuffix = "corp.example";
        Errors(spec).Should().ContainSingle().Which.Should().Be(
            "spec.source.ldap.emailSuffix: \"corp.example\" does not start with '@': the prefix is followed by the suffix as written, so write \"@corp.example\"");
    }
}
