using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.TestSupport.Okta;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Okta;

/// <summary>The Okta source against the source contract, reading the Okta stand-in in pages of 10. Okta requires
/// profile.email, so the entry it leaves out is a user who never activated (STAGED), reported with its login.</summary>
public sealed class OktaSourceContractTests : DirectorySourceContract, IAsyncLifetime
{
    private OktaStandIn standIn = null!;
    private OktaStandInUser first = null!;
    private OktaStandInUser unsendable = null!;

    public async Task InitializeAsync()
    {
        standIn = await OktaStandIn.StartAsync(new OktaStandInOptions { MaxPageSize = 10 });
        var directory = standIn.Directory;
        var users = Enumerable.Range(0, ContractDirectory.UserCount).Select(i => directory.AddUser(ContractDirectory.Email(i))).ToArray();
        first = users[0];
        unsendable = directory.AddUser(ContractDirectory.UserWithoutEmail + "@contract.example", status: "STAGED");
        directory.AddGroup(ContractDirectory.AllGroup, "OKTA_GROUP", users);
        directory.AddGroup(ContractDirectory.InnerGroup, "OKTA_GROUP", users[..ContractDirectory.InnerGroupSize]);
        // Okta groups do not nest: the outer group holds the inner group's users directly (what flattening gives it).
        directory.AddGroup(ContractDirectory.OuterGroup, "OKTA_GROUP", users[..ContractDirectory.InnerGroupSize]);
    }

    public async Task DisposeAsync() => await standIn.DisposeAsync();

    protected override string UserWithoutEmailEntry => $"{unsendable.Id} ({ContractDirectory.UserWithoutEmail}@contract.example)";

    protected override int? UserPagesInLastRead =>
        standIn.Requests.Count(r => r.Path.StartsWith("/api/v1/users?", StringComparison.Ordinal) && !r.Path.Contains("filter=", StringComparison.Ordinal));

    protected override Task<IDirectorySource> CreateSourceAsync() => Task.FromResult<IDirectorySource>(Source(new OktaApiToken(standIn.ApiToken)));

    protected override Task<IDirectorySource> CreateFailingSourceAsync() => Task.FromResult<IDirectorySource>(Source(new OktaApiToken("00NotTheToken_0123456789abcdefghijklmnop")));

    protected override Task AddUserAsync()
    {
        standIn.Directory.AddUser(ContractDirectory.AddedEmail);
        return Task.CompletedTask;
    }

    protected override Task RemoveFirstUserAsync()
    {
        standIn.Directory.Delete(first);
        return Task.CompletedTask;
    }

    private OktaSource Source(IOktaCredential credential) =>
        new OktaSource(OktaTestKit.Client(standIn),
            new OktaReadSettings(new Uri(standIn.OrgUrl, "/"), credential, "tokenSecretRef", UserExpression: null, KeepUser: _ => true,
                GroupExpression: null, KeepGroup: _ => true, GroupSetFilter: false, RemoveDisabled: false, IncludeUnactivatedUsers: false),
            NullLogger<OktaSource>.Instance);
}
