using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.EntraId;
using static DirectoryConnector.Engine.Tests.Sources.EntraId.EntraIdTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The Entra ID source (real Graph SDK and Azure.Identity) against the source contract, reading the Graph
/// stand-in's delta rounds in pages of 10. Every Entra user has an email-shaped user principal name, so the entry it
/// leaves out is a guest (userType Guest, #EXT# UPN), reported by its UPN.</summary>
public sealed class EntraIdSourceContractTests : DirectorySourceContract, Xunit.IAsyncLifetime
{
    private const string GuestUpn = ContractDirectory.UserWithoutEmail + "_partner.example#EXT#@contoso.onmicrosoft.com";
    private EntraIdStandIn standIn = null!;

    public async Task InitializeAsync()
    {
        standIn = await EntraIdStandIn.StartAsync();
        standIn.DeltaPageSize = 10;
        var tenant = standIn.Tenant;
        var ids = Enumerable.Range(0, ContractDirectory.UserCount).Select(UserId).ToArray();
        for (var i = 0; i < ContractDirectory.UserCount; i++)
        {
            tenant.AddUser(new EntraUser(ids[i], ContractDirectory.Email(i), ContractDirectory.Email(i), DisplayName: ContractDirectory.Login(i)));
        }

        tenant.AddUser(new EntraUser(IdOf(ContractDirectory.UserWithoutEmail), GuestUpn, "nomail@partner.example", UserType: "Guest"));
        tenant.AddGroup(IdOf(ContractDirectory.AllGroup), ContractDirectory.AllGroup, ids);
        tenant.AddGroup(IdOf(ContractDirectory.InnerGroup), ContractDirectory.InnerGroup, ids[..ContractDirectory.InnerGroupSize]);
        tenant.AddGroup(IdOf(ContractDirectory.OuterGroup), ContractDirectory.OuterGroup, IdOf(ContractDirectory.InnerGroup));
    }

    public async Task DisposeAsync() => await standIn.DisposeAsync();

    protected override string UserWithoutEmailEntry => GuestUpn;

    protected override int? UserPagesInLastRead => standIn.GraphRequests.Count(r => r.Path.StartsWith("/v1.0/users/delta", StringComparison.Ordinal) && r.StatusCode == 200);

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult(Source(standIn));

    protected override Task<IDirectorySource> CreateFailingSourceAsync() => Task.FromResult(Source(standIn, secret: "not-the-client-secret"));

    protected override Task AddUserAsync()
    {
        standIn.Tenant.AddUser(new EntraUser(IdOf(ContractDirectory.AddedUser), ContractDirectory.AddedEmail, ContractDirectory.AddedEmail));
        return Task.CompletedTask;
    }

    protected override Task RemoveFirstUserAsync()
    {
        standIn.Tenant.DeleteUser(UserId(0));
        return Task.CompletedTask;
    }

    private static string UserId(int index) => IdOf(ContractDirectory.Login(index));
}
