using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>In a collection of its own that runs alone: the signal test interrupts every thread of the test process
/// that waits in poll(2), so tests beside it would be disturbed.</summary>
[Collection(SignalCollectionDefinition.Name)]
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

    [Fact]
    [SupportedOSPlatform("linux")] // libldap and /proc
    public async Task A_signal_arriving_while_the_server_is_awaited_is_not_taken_for_a_dropped_connection()
    {
        // Any signal with a handler (SIGCHLD when a child process exits, as exec credential plugins and the tests' own
        // tools do) interrupts libldap's poll with EINTR; without LDAP_OPT_RESTART libldap reports that as
        // "server down" (LDAP result 81) at once. The wait must go on until the server answers or the limit is reached.
        using var handler = PosixSignalRegistration.Create(PosixSignal.SIGWINCH, context => context.Cancel = true);
        var read = Source(TimeSpan.FromSeconds(3)).ReadAsync(Everything, CancellationToken.None);

        var signalled = 0;
        while (!read.IsCompleted)
        {
            signalled += SignalThreadsWaitingInPoll();
            await Task.WhenAny(read, Task.Delay(50));
        }

        signalled.Should().BePositive("the bind waits for the server in poll(2), where the signals must land");
        var failure = (await read.Awaiting(task => task).Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Message.Should().Contain("within 3 seconds (LDAP result 85)", "the signals interrupted the wait, they did not end it");
    }

    private static int SignalThreadsWaitingInPoll()
    {
        // /proc/<pid>/task/<tid>/syscall starts with the number of the system call the thread is blocked in.
        int[] poll = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? [73] : [7, 271]; // ppoll; poll, ppoll
        var pid = Environment.ProcessId;
        var signalled = 0;
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string syscall;
            try
            {
                syscall = File.ReadAllText(Path.Combine(task, "syscall"));
            }
            catch (IOException)
            {
                continue; // the thread ended
            }

            if (int.TryParse(syscall.Split(' ')[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && poll.Contains(number)
                && Tgkill(pid, int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture), Sigwinch) == 0)
            {
                signalled++;
            }
        }

        return signalled;
    }

    private const int Sigwinch = 28;

    [DllImport("libc", EntryPoint = "tgkill", SetLastError = true)]
    private static extern int Tgkill(int tgid, int tid, int signal);
}
