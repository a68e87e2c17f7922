using System.Diagnostics;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

public sealed class LdapSourceTimeoutTests : IDisposable
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);
    private readonly UnresponsiveLdapServer _server = new();

    public void Dispose() => _server.Dispose();

    private LdapSource Source(TimeSpan operationTimeout) => LdapSource.Create(
        new LdapSourceSpec
        {
            Hostname = "127.0.0.1",
            Port = _server.Port,
            RootPath = "dc=example,dc=org",
            Username = "cn=reader,dc=example,dc=org",
            PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
        },
        null, "secret", null, new LdapSourceOptions { OperationTimeout = operationTimeout }, NullLogger<LdapSource>.Instance);

    [Fact]
    public async Task A_server_that_never_answers_is_SourceUnavailable_after_the_time_limit()
    {
        var clock = Stopwatch.StartNew();

        var read = () => Source(TimeSpan.FromSeconds(2)).ReadAsync(Everything, CancellationToken.None);

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().Contain($"127.0.0.1:{_server.Port}");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the read is bounded by the time limit, not by the server");
    }

    [Fact]
    public async Task A_server_that_accepts_and_stays_silent_is_named_with_the_timeout_setting_and_the_usual_causes()
    {
        // The spec's own limit (the public factory, as the operator and the CLI build the source), not a test option.
        var source = LdapSource.Create(
            new LdapSourceSpec
            {
                Hostname = "127.0.0.1",
                Port = _server.Port,
                Timeout = "2s",
                RootPath = "dc=example,dc=org",
                Username = "cn=reader,dc=example,dc=org",
                PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
            },
            null, "secret", null, NullLogger<LdapSource>.Instance);
        var clock = Stopwatch.StartNew();

        var failure = (await source.Invoking(s => s.ReadAsync(Everything, CancellationToken.None)).Should().ThrowAsync<SyncFailedException>()).Which;

        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue("a silent server is retried like any unreachable one");
        failure.Message.Should().StartWith($"The LDAP server 127.0.0.1:{_server.Port} (")
            .And.Contain("did not answer the bind as cn=reader,dc=example,dc=org within 2 seconds (LDAP result 85)")
            .And.Contain("spec.source.ldap.timeout sets that limit (default 30s)")
            .And.Contain("wrong port").And.Contain("firewall")
            .And.Contain("check spec.source.ldap.port and spec.source.ldap.encryption");
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(30), "spec.source.ldap.timeout bounds the wait, not the 2 minutes of old");
    }

    [Fact]
    public async Task Cancelling_a_read_blocked_on_the_server_returns_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        var read = Source(TimeSpan.FromMinutes(5)).ReadAsync(Everything, cancellation.Token);
        await Task.Delay(300);
        read.IsCompleted.Should().BeFalse("the server has not answered the bind");

        await cancellation.CancelAsync();
        var completed = await Task.WhenAny(read, Task.Delay(TimeSpan.FromSeconds(30)));

        completed.Should().BeSameAs(read, "cancellation must not wait for the 5 minute time limit");
        await read.Invoking(task => task).Should().ThrowAsync<OperationCanceledException>();
    }
}
