using DirectoryConnector.TestSupport.EntraId;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>A fresh stand-in tenant per test.</summary>
public abstract class EntraIdStandInTest : IAsyncLifetime
{
    protected EntraIdStandIn StandIn { get; private set; } = null!;

    protected EntraTenant Tenant => StandIn.Tenant;

    public virtual async Task InitializeAsync() => StandIn = await EntraIdStandIn.StartAsync();

    public virtual async Task DisposeAsync() => await StandIn.DisposeAsync();

    /// <summary>Five users (alice..erin) over pages of two, and Engineering = alice, bob.</summary>
    protected void SeedTeam()
    {
        StandIn.DeltaPageSize = 2;
        foreach (var name in new[] { "alice", "bob", "carol", "dave", "erin" })
        {
            Tenant.AddUser(EntraIdTestKit.User(name));
        }

        Tenant.AddGroup(EntraIdTestKit.IdOf("eng"), "Engineering", EntraIdTestKit.IdOf("alice"), EntraIdTestKit.IdOf("bob"));
    }

    /// <summary>Graph requests whose path ends with <paramref name="suffix"/> (e.g. "/users/delta").</summary>
    protected int GraphRequestsTo(string suffix)
        => StandIn.GraphRequests.Count(r => r.Path.TrimEnd(')').TrimEnd('(').EndsWith(suffix, StringComparison.Ordinal) && r.StatusCode == 200);
}
