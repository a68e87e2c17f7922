// Test names are sentences.

using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

public class BitwardenServiceCollectionTests
{
    [Fact]
    public async Task Resolved_clients_share_the_token_cache_and_retry_only_by_their_own_policy()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        var services = new ServiceCollection().AddBitwardenClient();
        services.Configure<BitwardenClientOptions>(options =>
        {
            options.BaseRetryDelay = TimeSpan.FromMilliseconds(5);
            options.MaxAttempts = 3;
        });
        await using var provider = services.BuildServiceProvider();
        var request = Request([Member("ann")]);

        // Typed clients are transient: two resolutions, one token.
        await provider.GetRequiredService<BitwardenClient>().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);
        await provider.GetRequiredService<BitwardenClient>().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);
        standIn.TokenRequests.Should().ContainSingle();

        standIn.FailNext(100, 500);
        var act = () => provider.GetRequiredService<BitwardenClient>().ImportAsync(Endpoints(standIn), Key(standIn), [request], CancellationToken.None);

        await act.Should().ThrowAsync<DirectoryConnector.Engine.Sync.SyncFailedException>();
        standIn.ImportRequests.Should().HaveCount(2 + 3, "no second retry layer multiplies the POSTs");
    }
}
