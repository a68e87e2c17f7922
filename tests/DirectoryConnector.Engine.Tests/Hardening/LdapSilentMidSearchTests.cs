using System.Globalization;
using System.Text.RegularExpressions;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Tests.Sources;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>The server (or a firewall in between) goes silent between two pages of a paged search, keeping the
/// connection open: spec.source.ldap.timeout bounds the wait for the next page (S.DS.P's own limit for it is garbage on
/// Linux: 71 minutes were seen), and the read fails as a whole, retryably, naming the page.</summary>
[Collection(SlapdCollectionDefinition.Name)]
public sealed partial class LdapSilentMidSearchTests(SlapdFixture fixture)
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
                Timeout = "2s",
                // Pages of two entries: the seed spans several pages, so the silence falls after the first of them.
                PageSize = 2,
            },
            null, fixture.Example.AdminPassword, null, NullLogger<LdapSource>.Instance)
        .ReadAsync(Everything, CancellationToken.None);

    [Fact]
    public async Task A_server_silent_after_the_first_page_fails_the_read_within_the_timeout_naming_the_page()
    {
        long wholeRead;
        await using (var measuring = new ConnectionCutProxy(fixture.Server.LdapPort))
        {
            (await ReadThroughAsync(measuring)).Users.Should().HaveCount(SlapdSeed.PersonCount);
            wholeRead = measuring.ServerBytes;
        }

        await using var proxy = new ConnectionCutProxy(fixture.Server.LdapPort) { SilenceAfterServerBytes = wholeRead / 2 };

        var failure = await LdapSilentHandshakeTests.FailureOfAsync(ReadThroughAsync(proxy));

        proxy.IsSilent.Should().BeTrue();
        failure.Message.Should().StartWith($"The LDAP server {SlapdServer.Host}:{proxy.Port} (ldap) did not answer search page ")
            .And.Contain("within 2 seconds")
            .And.Contain("spec.source.ldap.timeout sets that limit (default 30s)")
            .And.Contain("stops answering in the middle of a read").And.Contain("Nothing was synced from a partial read");
        var page = int.Parse(PageNumber().Match(failure.Message).Groups[1].Value, CultureInfo.InvariantCulture);
        page.Should().BeGreaterThan(1, "the pages before the silence arrived");
    }

    [GeneratedRegex("search page ([0-9]+) of ")]
    private static partial Regex PageNumber();
}
