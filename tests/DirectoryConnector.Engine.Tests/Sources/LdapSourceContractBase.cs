using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.TestSupport.Ldap;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>The LDAP source against the source contract on a slapd: each test gets its own organizational unit
/// under <paramref name="suffix"/>, and a page size of 10 makes the 26 users take three pages.</summary>
public abstract class LdapSourceContractBase(Func<SlapdServer> server, SlapdSuffix suffix) : DirectorySourceContract, IAsyncLifetime
{
    private readonly string _baseDn = $"ou=run-{Guid.NewGuid():N},{suffix.Suffix}";

    public Task InitializeAsync() => server().AddLdifAsync(suffix, ContractDirectory.Ldif(_baseDn));

    public Task DisposeAsync() => Task.CompletedTask;

    protected override string UserWithoutEmailEntry => $"uid={ContractDirectory.UserWithoutEmail},ou=People,{_baseDn}";

    private LdapSourceSpec Spec() => new()
    {
        Hostname = SlapdServer.Host,
        Port = server().LdapPort,
        RootPath = _baseDn,
        Username = suffix.AdminDn,
        PasswordSecretRef = new SecretKeyRef { Name = "bind", Key = "password" },
        PageSize = 10,
    };

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult<IDirectorySource>(
        LdapSource.Create(Spec(), null, suffix.AdminPassword, null, NullLogger<LdapSource>.Instance));

    protected override Task<IDirectorySource> CreateFailingSourceAsync() => Task.FromResult<IDirectorySource>(
        LdapSource.Create(Spec(), null, "not-the-password", null, NullLogger<LdapSource>.Instance));

    protected override Task AddUserAsync() => server().AddLdifAsync(suffix,
        $"dn: uid={ContractDirectory.AddedUser},ou=People,{_baseDn}\nobjectClass: inetOrgPerson\nuid: {ContractDirectory.AddedUser}\ncn: added\nsn: added\nmail: {ContractDirectory.AddedEmail}\n");

    protected override Task RemoveFirstUserAsync() => server().ModifyAsync(suffix,
        $"dn: uid={ContractDirectory.Login(0)},ou=People,{_baseDn}\nchangetype: delete\n");
}
