using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// Servers that accept the connection and go silent while it is secured: spec.source.ldap.timeout bounds each step
/// (libldap 2.5 bounds no TLS handshake, and S.DS.P's waits for an answer get a garbage limit on Linux), and the
/// failure names the step, the setting and the usual causes.
/// </summary>
public sealed class LdapSilentHandshakeTests
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    private static LdapSource Source(int port, LdapEncryption encryption) => LdapSource.Create(
        new LdapSourceSpec
        {
            Hostname = "127.0.0.1",
            Port = port,
            Encryption = encryption,
            Timeout = "2s",
            RootPath = "dc=example,dc=org",
            Username = "cn=reader,dc=example,dc=org",
            PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
        },
        null, "secret", null, NullLogger<LdapSource>.Instance);

    /// <summary>The read's failure; the outer minute only catches a read that the time limit did not end.</summary>
    internal static async Task<SyncFailedException> FailureOfAsync(Task<DirectorySnapshot> read)
    {
        var ended = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(60)));
        ended.Should().BeSameAs(read, "spec.source.ldap.timeout ends the read, not the server");
        var failure = (await read.Invoking(task => task).Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable, failure.Message);
        failure.Retryable.Should().BeTrue($"a silent server is retried like any unreachable one ({failure.Message})");
        return failure;
    }

    [Fact]
    public async Task A_server_silent_at_StartTLS_fails_the_StartTLS_handshake_within_the_timeout()
    {
        using var server = new UnresponsiveLdapServer();

        var failure = await FailureOfAsync(Source(server.Port, LdapEncryption.StartTls).ReadAsync(Everything, CancellationToken.None));

        failure.Message.Should().StartWith($"The LDAP server 127.0.0.1:{server.Port} (startTls) did not answer the StartTLS handshake within 2 seconds")
            .And.Contain("spec.source.ldap.timeout sets that limit (default 30s)")
            .And.Contain("stays silent during StartTLS").And.Contain("firewall")
            .And.Contain("check spec.source.ldap.port and spec.source.ldap.encryption");
    }

    [Fact]
    public async Task A_server_that_accepts_StartTLS_and_never_completes_the_TLS_handshake_fails_within_the_timeout()
    {
        using var server = new SilentAfterStartTlsServer();

        var failure = await FailureOfAsync(Source(server.Port, LdapEncryption.StartTls).ReadAsync(Everything, CancellationToken.None));

        server.StartTlsAnswered.Should().Be(1, "the server accepted StartTLS and the wait was the TLS handshake");
        failure.Message.Should().StartWith($"The LDAP server 127.0.0.1:{server.Port} (startTls) did not answer the StartTLS handshake within 2 seconds")
            .And.Contain("spec.source.ldap.timeout sets that limit");
    }

    [Fact]
    public async Task An_ldaps_server_silent_in_the_TLS_handshake_fails_within_the_timeout()
    {
        using var server = new UnresponsiveLdapServer();

        var failure = await FailureOfAsync(Source(server.Port, LdapEncryption.Ldaps).ReadAsync(Everything, CancellationToken.None));

        failure.Message.Should().StartWith($"The LDAP server 127.0.0.1:{server.Port} (ldaps) did not answer the TLS handshake within 2 seconds")
            .And.Contain("spec.source.ldap.timeout sets that limit (default 30s)")
            .And.Contain("stays silent during the TLS handshake").And.Contain("389")
            .And.Contain("check spec.source.ldap.port and spec.source.ldap.encryption");
    }
}
