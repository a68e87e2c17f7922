using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Sources;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>
/// Issue 15: a real slapd stopped (SIGTERM) and started again between two pages of a paged search, at an exact
/// point: the reader is held right after it received the first page, and asks for the next one only once slapd is
/// back. The read must fail as a whole, retryably (no partial directory reaches the engine), and the next read is
/// complete. <see cref="LdapRestartTests"/> cuts connections at byte offsets through a proxy instead.
/// </summary>
public sealed class SlapdRestartTests : IAsyncLifetime
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);
    private static readonly SlapdSuffix Suffix = new("dc=example,dc=org", "restart-admin-secret");
    private SlapdServer server = null!;

    public async Task InitializeAsync()
    {
        server = await SlapdServer.StartAsync([Suffix]);
        await server.AddLdifAsync(Suffix, SlapdSeed.Ldif);
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    private LdapSource Source(ILogger<LdapSource> logger) => LdapSource.Create(
        new LdapSourceSpec
        {
            Hostname = SlapdServer.Host,
            Port = server.LdapPort,
            RootPath = Suffix.Suffix,
            Username = Suffix.AdminDn,
            PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
            // Pages of two entries: the people alone span four pages.
            PageSize = 2,
        },
        null, Suffix.AdminPassword, null,
        new LdapSourceOptions { OperationTimeout = TimeSpan.FromSeconds(30) },
        logger);

    [Fact]
    public async Task A_slapd_restart_between_two_pages_fails_the_whole_read_retryably_and_the_next_read_is_complete()
    {
        var complete = await Source(NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None);
        complete.Users.Should().HaveCount(SlapdSeed.PersonCount);

        var firstPage = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var restarted = new ManualResetEventSlim();
        var logger = new RecordingLogger<LdapSource>
        {
            // Runs on the reader's thread as it logs the first page it received: it asks for the next page only after this returns.
            OnLog = (_, properties) =>
            {
                if (properties.TryGetValue("Page", out var page) && Equals(page, 1)
                    && firstPage.TrySetResult((int)properties["Count"]!) && !restarted.Wait(TimeSpan.FromMinutes(2)))
                {
                    throw new TimeoutException("slapd was not restarted");
                }
            },
        };

        var read = Source(logger).ReadAsync(Everything, CancellationToken.None);
        (await firstPage.Task.WaitAsync(TimeSpan.FromMinutes(2))).Should().Be(2, "the reader holds the first page of two entries, the search is not over");
        await server.RestartAsync();
        restarted.Set();

        var failure = (await read.Awaiting(task => task).Should().ThrowAsync<SyncFailedException>("half a search is no directory")).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue("the server is back: the next sync succeeds");
        failure.Message.Should().Contain($"{SlapdServer.Host}:{server.LdapPort}").And.Contain(Suffix.Suffix);
        logger.Entries.Should().NotContain(entry => entry.Properties.ContainsKey("Page") && !Equals(entry.Properties["Page"], 1),
            "no page after the first was read on the connection the restart closed");

        var again = await Source(NullLogger<LdapSource>.Instance).ReadAsync(Everything, CancellationToken.None);
        again.Users.Select(user => (user.ExternalId, user.Email)).Should().BeEquivalentTo(complete.Users.Select(user => (user.ExternalId, user.Email)));
        again.Groups.Select(group => (group.Name, Members: string.Join(",", group.MemberReferences.Order(StringComparer.Ordinal))))
            .Should().BeEquivalentTo(complete.Groups.Select(group => (group.Name, Members: string.Join(",", group.MemberReferences.Order(StringComparer.Ordinal)))));
    }
}
