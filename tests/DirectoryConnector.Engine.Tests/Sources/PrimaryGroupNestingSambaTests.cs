// Test names are sentences.

using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Tests.Sources.LdapIncremental;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// A group whose member is "Domain Users" on a real Samba AD DC: AD lists no user in the member attribute of the
/// user's primary group (primaryGroupID = the RID of the group's objectSid), so the group nesting it holds nobody
/// unless the primary-group members are resolved before nested groups are flattened.
/// </summary>
[Collection(WritableSambaCollectionDefinition.Name)]
public sealed class PrimaryGroupNestingSambaTests(WritableSambaFixture fixture) : IAsyncLifetime
{
    private const string Ou = "OU=Primary," + SambaDomainController.DomainDn;
    private const string DomainUsersDn = "CN=Domain Users,CN=Users," + SambaDomainController.DomainDn;

    private SambaDomainController Dc => fixture.Controller;

    public async Task InitializeAsync()
    {
        await Dc.DeleteTreeAsync(Ou);
        await Dc.ModifyAsync(string.Join('\n',
            Add(Ou, "objectClass: organizationalUnit"),
            Add($"CN=Pia Primary,{Ou}", "objectClass: user", "sAMAccountName: pia", "userAccountControl: 544", "mail: pia@primary.local"),
            Add($"CN=Paul Primary,{Ou}", "objectClass: user", "sAMAccountName: paul", "userAccountControl: 544", "mail: paul@primary.local"),
            Add($"CN=All Staff,{Ou}", "objectClass: group", "sAMAccountName: primary-all-staff", $"member: {DomainUsersDn}")));
    }

    public Task DisposeAsync() => Dc.DeleteTreeAsync(Ou);

    private static string Add(string dn, params string[] lines) => $"dn: {dn}\nchangetype: add\n{string.Join('\n', lines)}\n";

    [Fact]
    public async Task A_group_nesting_domain_users_holds_every_user_whose_primary_group_it_is()
    {
        var spec = Dc.SourceSpec(userPath: "OU=Primary");
        var snapshot = await LdapSource.Create(spec, null, SambaDomainController.AdministratorPassword, Dc.CaPem, NullLogger<LdapSource>.Instance)
            .ReadAsync(new DirectoryQuery(Users: true, Groups: true, IncludeDeleted: false), CancellationToken.None);

        var plan = ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "scope");

        var emailOf = plan.Members.ToDictionary(member => member.ExternalId, member => member.Email);
        plan.Groups.Single(group => group.Name == "All Staff").MemberExternalIds.Select(id => emailOf[id]).Should().BeEquivalentTo(
            ["pia@primary.local", "paul@primary.local"], "Samba gives new accounts primaryGroupID 513 (Domain Users) and lists them in no member attribute");
    }
}
