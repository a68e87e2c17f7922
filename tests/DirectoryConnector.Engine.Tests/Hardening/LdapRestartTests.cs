using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Tests.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>Issue 15: the LDAP server goes away in the middle of a paged search (a restart resets every connection).
/// The read must fail as a whole, retryably, never hand the engine the pages it got so far as if they were the
/// directory; and once the server is back the next read is complete.</summary>
[Collection(SlapdCollectionDefinition.Name)]
public sealed class LdapRestartTests(SlapdFixture fixture)
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    private Task<DirectorySnapshot> ReadThroughAsync(ConnectionCutProxy proxy) => LdapSource.Create(
            new LdapSourceSpec
            {
                Hostname = SlapdServer.Host,
                Port = proxy.Port,
                RootPath = fixture.Example.Suffix,
                Username = fixture.Example.AdminDn,
                PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
                // Pages of two entries: the seed spans several pages, so the cut lands between two of them.
                PageSize = 2,
            },
            null, fixture.Example.AdminPassword, null,
            new LdapSourceOptions { OperationTimeout = TimeSpan.FromSeconds(20) },
            NullLogger<LdapSource>.Instance)
        .ReadAsync(Everything, CancellationToken.None);

    [Fact]
    public async Task AServerRestartDuringAPagedSearchFailsTheWholeReadRetryablyAndTheNextReadIsComplete()
    {
        await using var proxy = new ConnectionCutProxy(fixture.Server.LdapPort);
        var complete = await ReadThroughAsync(proxy);
        var wholeRead = proxy.ServerBytes;
        complete.Users.Should().HaveCount(SlapdSeed.PersonCount);

        // Drop every connection halfway through the server's answer, as a restart would, for several cut points.
        foreach (var fraction in new[] { 0.3, 0.5, 0.8 })
        {
            proxy.CutAfterServerBytes = (long)(wholeRead * fraction);
            var read = () => ReadThroughAsync(proxy);

            var failure = (await read.Should().ThrowAsync<SyncFailedException>($"a read cut at {fraction:P0} is no directory")).Which;
            failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
            failure.Retryable.Should().BeTrue();
            proxy.IsDown.Should().BeTrue("the cut happened during this read");

            proxy.Heal();
            var again = await ReadThroughAsync(proxy);
            again.Users.Select(u => u.ExternalId).Should().BeEquivalentTo(complete.Users.Select(u => u.ExternalId));
            again.Groups.Select(g => (g.Name, g.MemberReferences.Count)).Should().BeEquivalentTo(complete.Groups.Select(g => (g.Name, g.MemberReferences.Count)));
        }
    }
}
