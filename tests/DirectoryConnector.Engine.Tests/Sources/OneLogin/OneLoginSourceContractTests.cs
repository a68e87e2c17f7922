using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Filters;
using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.Engine.Tests.Bitwarden;
using DirectoryConnector.TestSupport.OneLogin;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.OneLogin.OneLoginTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.OneLogin;

/// <summary>The OneLogin source against the source contract. OneLogin roles do not nest, so the contract's outer
/// group is a role holding the inner group's users directly (what flattening would give it).</summary>
public sealed class OneLoginSourceContractTests : DirectorySourceContract, IAsyncLifetime
{
    private const long NoMailId = 26;
    private readonly ServiceProvider services = Services();
    private OneLoginStandIn standIn = null!;

    public async Task InitializeAsync()
    {
        standIn = await OneLoginStandIn.StartAsync(new OneLoginStandInOptions { MaxPageSize = 10 });
        var ids = Enumerable.Range(0, ContractDirectory.UserCount).Select(i => (long)i + 1).ToList();
        standIn.Account.Put([.. Enumerable.Range(0, ContractDirectory.UserCount).Select(i =>
            new OneLoginStandInUser(i + 1, ContractDirectory.Login(i), ContractDirectory.Email(i)))]);
        standIn.Account.Put(new OneLoginStandInUser(NoMailId, ContractDirectory.UserWithoutEmail, null));
        var inner = ids.Take(ContractDirectory.InnerGroupSize).ToList();
        standIn.Account.Put(new OneLoginStandInRole(1, ContractDirectory.AllGroup, ids), new OneLoginStandInRole(2, ContractDirectory.InnerGroup, inner),
            new OneLoginStandInRole(3, ContractDirectory.OuterGroup, inner));
    }

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        await services.DisposeAsync();
    }

    protected override string UserWithoutEmailEntry => $"{NoMailId} ({ContractDirectory.UserWithoutEmail})";

    protected override int? UserPagesInLastRead => null;

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult<IDirectorySource>(Source(standIn.ClientSecret));

    protected override Task<IDirectorySource> CreateFailingSourceAsync() => Task.FromResult<IDirectorySource>(Source("not-the-secret"));

    protected override Task AddUserAsync()
    {
        standIn.Account.Put(new OneLoginStandInUser(27, ContractDirectory.AddedUser, ContractDirectory.AddedEmail));
        return Task.CompletedTask;
    }

    protected override Task RemoveFirstUserAsync()
    {
        standIn.Account.DeleteUser(1);
        return Task.CompletedTask;
    }

    private OneLoginSource Source(string secret) =>
        new OneLoginSource(services.OneLoginClient(standIn), Connection(standIn, secret),
            new OneLoginSourceOptions(SourceFilter.None, SourceFilter.None, UseEmailPrefixSuffix: false, EmailSuffix: null, RemoveDisabled: false),
            new ListLogger<OneLoginSource>());
}
