using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using DirectoryConnector.TestSupport;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class SourceProvidersTests
{
    private readonly InMemoryReferences _references = new();

    private static LdapSourceSpec Ldap() => new()
    {
        Hostname = "127.0.0.1",
        RootPath = "dc=example,dc=org",
        Username = "cn=reader,dc=example,dc=org",
        PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" },
    };

    // A valid spec.bitwarden, so only the source's problems are reported.
    private static DirectorySyncSpec Spec(SourceSpec source, FiltersSpec? filters = null) => new()
    {
        Bitwarden = new BitwardenSpec { ApiKeySecretRef = new ApiKeySecretRef { Name = "bw-key" } },
        Source = source,
        Filters = filters ?? new FiltersSpec(),
    };

    private Task<IDirectorySource> CreateAsync(DirectorySyncSpec spec) =>
        EngineServices.Validator.Check(spec).CreateSourceAsync(_references, CancellationToken.None);

    private async Task<SyncFailedException> FailureAsync(DirectorySyncSpec spec)
    {
        var create = () => CreateAsync(spec);
        return (await create.Should().ThrowAsync<SyncFailedException>()).Which;
    }

    [Fact]
    public async Task No_source_is_InvalidSpec_naming_spec_source()
    {
        var failure = await FailureAsync(Spec(new SourceSpec()));

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.source").And.Contain("exactly one");
    }

    [Fact]
    public async Task Two_sources_are_InvalidSpec_naming_both()
    {
        var failure = await FailureAsync(Spec(new SourceSpec { Ldap = Ldap(), File = new FileSourceSpec { Path = "x.ldif" } }));

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.source: ldap and file are both set: set exactly one source");
    }

    [Fact]
    public async Task A_missing_password_secret_is_SecretNotFound()
    {
        var failure = await FailureAsync(Spec(new SourceSpec { Ldap = Ldap() }));

        failure.Reason.Should().Be(SyncFailureReason.SecretNotFound);
        failure.Message.Should().Contain("ldap-bind");
    }

    [Fact]
    public async Task An_ldap_spec_with_its_secrets_builds_an_ldap_source()
    {
        _references.Secrets[("ldap-bind", "password")] = "s3cret";
        _references.Secrets[("corp-ca", "ca.crt")] = DirectoryConnector.TestSupport.Ldap.TestCertificates.Create().CaPem;
        var spec = Ldap();
        spec.CaSecretRef = new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" };
        spec.Encryption = LdapEncryption.Ldaps;

        var source = await CreateAsync(Spec(new SourceSpec { Ldap = spec }));

        source.Should().BeOfType<LdapSource>();
    }

    [Fact]
    public async Task A_file_spec_builds_a_file_source()
    {
        var source = await CreateAsync(Spec(new SourceSpec { File = new FileSourceSpec { Path = "people.ldif" } }));

        source.Should().BeOfType<FileSource>();
    }

    [Fact]
    public async Task Ldap_filters_on_a_file_source_are_InvalidSpec()
    {
        var failure = await FailureAsync(Spec(new SourceSpec { File = new FileSourceSpec { Path = "people.ldif" } }, new FiltersSpec { Users = "(uid=a)" }));

        failure.Message.Should().Contain("spec.filters");
    }

    public static TheoryData<Action<LdapSourceSpec>, string> BadLdapSpecs => new()
    {
        { spec => spec.Hostname = "", "spec.source.ldap.hostname" },
        { spec => spec.Hostname = "dc1.corp:636", "spec.source.ldap.port" },
        { spec => spec.Port = 70000, "spec.source.ldap.port" },
        { spec => spec.RootPath = "example.org", "spec.source.ldap.rootPath" },
        { spec => spec.UserPath = "People", "spec.source.ldap.userPath" },
        { spec => spec.GroupPath = "ou=Groups,", "spec.source.ldap.groupPath" },
        { spec => spec.Username = " ", "spec.source.ldap.username" },
        { spec => { spec.InsecureSkipVerify = true; spec.Encryption = LdapEncryption.Ldaps; spec.CaSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" }; }, "contradict" },
        { spec => spec.InsecureSkipVerify = true, "spec.source.ldap.insecureSkipVerify: is true but encryption is none" },
        { spec => spec.UseEmailPrefixSuffix = true, "spec.source.ldap.emailSuffix" },
        { spec => spec.UserObjectClass = "person)(objectClass=*", "spec.source.ldap.userObjectClass" },
    };

    [Theory]
    [MemberData(nameof(BadLdapSpecs))]
    public async Task Bad_ldap_fields_are_InvalidSpec_naming_the_field(Action<LdapSourceSpec> spoil, string field)
    {
        _references.Secrets[("ldap-bind", "password")] = "s3cret";
        var spec = Ldap();
        spoil(spec);

        var failure = await FailureAsync(Spec(new SourceSpec { Ldap = spec }));

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain(field).And.NotContain("s3cret");
    }

    [Fact]
    public async Task A_ca_secret_without_a_certificate_is_InvalidSpec_naming_caSecretRef()
    {
        _references.Secrets[("ldap-bind", "password")] = "s3cret";
        _references.Secrets[("corp-ca", "ca.crt")] = "not a certificate";
        var spec = Ldap();
        spec.Encryption = LdapEncryption.Ldaps;
        spec.CaSecretRef = new SecretKeyRef { Name = "corp-ca", Key = "ca.crt" };

        // Refused as the source is created, before any connection is tried.
        var failure = await FailureAsync(Spec(new SourceSpec { Ldap = spec }));

        failure.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Message.Should().Contain("spec.source.ldap.caSecretRef").And.Contain("Secret corp-ca");
    }
}
