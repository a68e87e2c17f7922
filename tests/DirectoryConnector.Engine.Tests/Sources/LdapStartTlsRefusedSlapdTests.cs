// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>A slapd with no TLS configured, as installed before anyone set up a certificate: it answers StartTLS with
/// protocolError (RFC 4511 §4.12), which used to surface as a bare "LDAP result 2".</summary>
public sealed class LdapStartTlsRefusedSlapdTests : IAsyncLifetime
{
    private readonly SlapdSuffix _suffix = new("dc=plain,dc=test", "plain-admin-secret");
    private SlapdServer? _server;

    public async Task InitializeAsync()
    {
        _server = await SlapdServer.StartAsync([_suffix], tls: false);
        await _server.AddLdifAsync(_suffix, "dn: uid=ann,dc=plain,dc=test\nobjectClass: inetOrgPerson\nuid: ann\ncn: Ann\nsn: Ann\nmail: ann@plain.test\n");
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private Task<DirectorySnapshot> ReadAsync(LdapEncryption encryption) => LdapSource.Create(new LdapSourceSpec
    {
        Hostname = SlapdServer.Host,
        Port = _server!.LdapPort,
        Encryption = encryption,
        RootPath = _suffix.Suffix,
        Username = _suffix.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
    }, null, _suffix.AdminPassword, null, NullLogger<LdapSource>.Instance).ReadAsync(new DirectoryQuery(Users: true, Groups: false, IncludeDeleted: false), CancellationToken.None);

    [Fact]
    public async Task StartTLS_to_a_server_without_TLS_says_it_does_not_offer_StartTLS_and_what_to_set()
    {
        var read = () => ReadAsync(LdapEncryption.StartTls);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Message.Should().Contain($"The LDAP server {SlapdServer.Host}:{_server!.LdapPort} (startTls) does not offer StartTLS")
            .And.Contain("LDAP result 2 (protocolError")
            .And.Contain("olcTLSCertificateFile")
            .And.Contain("set spec.source.ldap.encryption to ldaps and spec.source.ldap.port");
        failure.Message.Should().NotContain("unreachable").And.NotContain("while binding").And.NotContain(_suffix.AdminPassword);
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeFalse("the server answers the same until it gets a certificate or the spec changes");
    }

    [Fact]
    public async Task The_same_server_is_read_without_encryption_so_the_refusal_is_about_TLS_alone()
    {
        var snapshot = await ReadAsync(LdapEncryption.None);

        snapshot.Users.Select(user => user.Email).Should().Equal("ann@plain.test");
    }
}
