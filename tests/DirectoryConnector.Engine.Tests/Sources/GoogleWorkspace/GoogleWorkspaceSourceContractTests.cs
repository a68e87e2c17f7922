using DirectoryConnector.Engine.Sources;
using DirectoryConnector.TestSupport.GoogleWorkspace;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.GoogleWorkspace;

/// <summary>The Google Workspace source against the source contract, reading the Admin SDK stand-in in pages of 10.
/// The service account acts as user 1 (the contract removes user 0). Google always has a primaryEmail, so the entry
/// it leaves out is a user Google lists without email addresses, reported by its primary email.</summary>
public sealed class GoogleWorkspaceSourceContractTests : DirectorySourceContract, IAsyncLifetime
{
    private const string Domain = "contract.example";
    private readonly ServiceProvider services = GoogleTestKit.Services();
    private GoogleWorkspaceStandIn standIn = null!;
    private GoogleStandInUser first = null!;

    public async Task InitializeAsync()
    {
        standIn = await GoogleWorkspaceStandIn.StartAsync();
        standIn.Domains.Insert(0, Domain);
        standIn.MaxPageSize = 10;
        var users = Enumerable.Range(0, ContractDirectory.UserCount).Select(i => standIn.AddUser(ContractDirectory.Email(i), isAdmin: i == 1)).ToArray();
        first = users[0];
        standIn.AddUser($"{ContractDirectory.UserWithoutEmail}@{Domain}").HasEmails = false;
        var all = standIn.AddGroup(ContractDirectory.AllGroup);
        var inner = standIn.AddGroup(ContractDirectory.InnerGroup);
        var outer = standIn.AddGroup(ContractDirectory.OuterGroup);
        standIn.Change(() =>
        {
            all.Members.AddRange(users.Select(u => GoogleWorkspaceStandIn.UserMember(u)));
            inner.Members.AddRange(users[..ContractDirectory.InnerGroupSize].Select(u => GoogleWorkspaceStandIn.UserMember(u)));
            outer.Members.Add(GoogleWorkspaceStandIn.GroupMember(inner));
        });
    }

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        await services.DisposeAsync();
    }

    protected override string UserWithoutEmailEntry => $"{ContractDirectory.UserWithoutEmail}@{Domain}";

    protected override int? UserPagesInLastRead => standIn.ApiRequests.Count(r => r.Path.StartsWith("/admin/directory/v1/users?", StringComparison.Ordinal));

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult<IDirectorySource>(GoogleTestKit.Source(standIn, services, Spec()));

    protected override async Task<IDirectorySource> CreateFailingSourceAsync()
    {
        // A service account whose client id was never granted domain-wide delegation: the token endpoint refuses it.
        standIn.DelegatedScopes.Clear();
        return await CreateSourceAsync();
    }

    protected override Task AddUserAsync()
    {
        standIn.AddUser(ContractDirectory.AddedEmail);
        return Task.CompletedTask;
    }

    protected override Task RemoveFirstUserAsync()
    {
        standIn.Change(() =>
        {
            // Deleted users leave their groups and are listed only with showDeleted=true.
            first.DeletionTime = DateTimeOffset.UtcNow;
            foreach (var group in standIn.Groups)
            {
                group.Members.RemoveAll(m => m.Id == first.Id);
            }
        });
        return Task.CompletedTask;
    }

    private Engine.Sources.GoogleWorkspace.GoogleWorkspaceSourceSpec Spec()
    {
        var spec = GoogleTestKit.Spec(standIn);
        spec.AdminUser = ContractDirectory.Email(1);
        return spec;
    }
}
