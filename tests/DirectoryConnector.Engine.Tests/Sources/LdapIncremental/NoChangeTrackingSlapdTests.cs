using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.LdapIncremental;

/// <summary>A slapd without the syncprov overlay offers no change tracking: no cursor, and a cursor handed in anyway
/// (e.g. after the overlay was removed) means a full read that says why.</summary>
[Collection(SlapdCollectionDefinition.Name)]
public sealed class NoChangeTrackingSlapdTests(SlapdFixture fixture)
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    private LdapSource Source() => LdapSource.Create(new LdapSourceSpec
    {
        Hostname = SlapdServer.Host,
        Port = fixture.Server.LdapPort,
        RootPath = fixture.Example.Suffix,
        UserPath = "ou=People",
        Username = fixture.Example.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
    }, null, fixture.Example.AdminPassword, null, new LdapSourceOptions(), NullLogger<LdapSource>.Instance);

    [Fact]
    public async Task A_server_without_content_synchronization_gets_full_reads_and_no_cursor()
    {
        var first = await Source().ReadAsync(Everything, CancellationToken.None);
        first.Cursor.Should().BeNull("slapd without syncprov lists no Sync Request control in its root DSE");
        first.FullReadReason.Should().BeNull("there was no cursor to explain");

        var withCursor = await Source().ReadAsync(Everything with { Cursor = "rfc4533:cmlkPTAwMCxjc249MjAyNjExMzAyMTMyNTAuNTc0MjE0WiMwMDAwMDAjMDAwIzAwMDAwMA==" }, CancellationToken.None);

        withCursor.Unchanged.Should().BeFalse();
        withCursor.Users.Should().HaveCount(first.Users.Count).And.NotBeEmpty();
        withCursor.Groups.Should().HaveCount(first.Groups.Count);
        withCursor.FullReadReason.Should().Contain("offers neither LDAP Content Synchronization");
        withCursor.Cursor.Should().BeNull();
    }
}
