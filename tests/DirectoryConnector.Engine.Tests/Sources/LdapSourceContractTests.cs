using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport.Ldap;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>The LDAP source against the source contract on slapd: each test gets its own organizational unit,
/// and a page size of 10 makes the 26 users take three pages.</summary>
[Collection(SlapdCollectionDefinition.Name)]
public sealed class LdapSourceContractTests(SlapdFixture fixture) : DirectorySourceContract, IAsyncLifetime
{
    private readonly string _baseDn = $"ou=run-{Guid.NewGuid():N},dc=contract,dc=test";

    public Task InitializeAsync() => fixture.Server.AddLdifAsync(fixture.Contract, ContractDirectory.Ldif(_baseDn));

    public Task DisposeAsync() => Task.CompletedTask;

    protected override string UserWithoutEmailEntry => $"uid={ContractDirectory.UserWithoutEmail},ou=People,{_baseDn}";

    private LdapSourceSpec Spec() => new()
    {
        Hostname = SlapdServer.Host,
        Port = fixture.Server.LdapPort,
        RootPath = _baseDn,
        Username = fixture.Contract.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
    };

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult<IDirectorySource>(
        LdapSource.Create(Spec(), null, fixture.Contract.AdminPassword, null, new LdapSourceOptions { PageSize = 10 }, NullLogger<LdapSource>.Instance));

    protected override Task<IDirectorySource> CreateFailingSourceAsync() => Task.FromResult<IDirectorySource>(
        LdapSource.Create(Spec(), null, "not-the-password", null, new LdapSourceOptions { PageSize = 10 }, NullLogger<LdapSource>.Instance));

    protected override Task AddUserAsync() => fixture.Server.AddLdifAsync(fixture.Contract,
        $"dn: uid={ContractDirectory.AddedUser},ou=People,{_baseDn}\nobjectClass: inetOrgPerson\nuid: {ContractDirectory.AddedUser}\ncn: added\nsn: added\nmail: {ContractDirectory.AddedEmail}\n");

    protected override Task RemoveFirstUserAsync() => fixture.Server.ModifyAsync(fixture.Contract,
        $"dn: uid={ContractDirectory.Login(0)},ou=People,{_baseDn}\nchangetype: delete\n");
}
