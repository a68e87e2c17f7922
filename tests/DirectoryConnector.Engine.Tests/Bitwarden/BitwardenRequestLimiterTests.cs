using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;
using static DirectoryConnector.Engine.Tests.Bitwarden.BitwardenTestKit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

/// <summary>
/// One request budget per Bitwarden server for the whole process: many syncs at once stay under the cloud's per-client-IP
/// limits (bitwarden-api.md §1.8), which the stand-in enforces as a sliding log (stricter than the server's fixed windows).
/// </summary>
public sealed class BitwardenRequestLimiterTests
{
    [Fact]
    public async Task ConcurrentSyncsOfOneProcessStayUnderFivePostsPerSecondAndAllComplete()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false, RateLimitPerSecond = 5 });
        using var services = Services(CloudOptions());

        await Task.WhenAll(Enumerable.Range(0, 6).Select(sync => ImportAsync(services, standIn, sync, requests: 5)));

        standIn.ImportRequests.Should().HaveCount(30).And.OnlyContain(r => r.StatusCode == 200);
        standIn.Requests.Should().NotContain(r => r.StatusCode == 429, "the process never went over the limit");
        standIn.Organization.Members.Should().HaveCount(30);
    }

    [Fact]
    public async Task ElevenSyncsAtOnceStayUnderThePerMinuteLimitsOfTokensAndPostsAndAllComplete()
    {
        // 11 token requests (the cloud allows 10 a minute) and 66 POSTs (60 a minute): the last ones wait for the minute.
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false, RateLimitPerSecond = 5, CloudRateLimits = true });
        using var services = Services(CloudOptions());

        await Task.WhenAll(Enumerable.Range(0, 11).Select(sync => ImportAsync(services, standIn, sync, requests: 6, freshToken: true)));

        standIn.TokenRequests.Should().HaveCount(11).And.OnlyContain(r => r.StatusCode == 200);
        standIn.ImportRequests.Should().HaveCount(66).And.OnlyContain(r => r.StatusCode == 200);
        standIn.Requests.Should().NotContain(r => r.StatusCode == 429);
        standIn.Organization.Members.Should().HaveCount(66);
    }

    [Fact]
    public async Task AWaitForAPermitIsCancelledWithTheSyncAndSendsNothing()
    {
        await using var standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
        var options = CloudOptions();
        options.PostsPerMinute = 1;
        using var services = Services(options);
        await ImportAsync(services, standIn, sync: 0, requests: 1);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        var waiting = () => ImportAsync(services, standIn, sync: 1, requests: 1, cancellationToken: cancel.Token);

        await waiting.Should().ThrowAsync<OperationCanceledException>();
        standIn.ImportRequests.Should().ContainSingle("the second POST waited for the minute and was cancelled before it went");
    }

    [Fact]
    public void EachServerHasItsOwnBudgetsForTokensWritesAndReads()
    {
        var options = new BitwardenClientOptions { PostsPerMinute = 1, TokenRequestsPerMinute = 1, GetsPerMinute = 1, PaceEveryServer = true };
        using var limiter = new BitwardenRequestLimiter(Options.Create(options));

        bool Acquire(HttpMethod method, string url)
        {
            using var request = new HttpRequestMessage(method, url);
            using var lease = limiter.AttemptAcquire(request);
            return lease.IsAcquired;
        }

        Acquire(HttpMethod.Post, "https://api.bitwarden.com/public/organization/import").Should().BeTrue();
        Acquire(HttpMethod.Post, "https://api.bitwarden.com/public/organization/import").Should().BeFalse("one POST a minute");
        Acquire(HttpMethod.Delete, "https://api.bitwarden.com/public/groups/1").Should().BeFalse("other writes share the POST budget");
        Acquire(HttpMethod.Get, "https://api.bitwarden.com/public/members").Should().BeTrue("reads have their own budget");
        Acquire(HttpMethod.Post, "https://identity.bitwarden.com/connect/token").Should().BeTrue();
        Acquire(HttpMethod.Post, "https://identity.bitwarden.com/connect/token").Should().BeFalse();
        Acquire(HttpMethod.Post, "https://vault.example.com/api/public/organization/import").Should().BeTrue("another server, another budget");
        Acquire(HttpMethod.Post, "https://vault.example.com/identity/connect/token").Should().BeTrue("its token budget is apart from its API's");
    }

    [Fact]
    public void OnlyTheCloudIsPacedUnlessEveryServerIsAskedFor()
    {
        using var limiter = new BitwardenRequestLimiter(Options.Create(new BitwardenClientOptions { PostsPerMinute = 1 }));

        bool Acquire(string url)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url);
            using var lease = limiter.AttemptAcquire(request);
            return lease.IsAcquired;
        }

        Acquire("https://api.bitwarden.eu/public/organization/import").Should().BeTrue();
        Acquire("https://api.bitwarden.eu/public/organization/import").Should().BeFalse("the cloud limits every client IP");
        Enumerable.Range(0, 5).Select(_ => Acquire("https://vault.example.com/api/public/organization/import")).Should().OnlyContain(acquired => acquired,
            "a self-hosted server has no rate limit");
    }

    /// <summary>The cloud's limits with the kit's short retry delays, applied to the loopback stand-in.</summary>
    private static BitwardenClientOptions CloudOptions()
    {
        var options = FastOptions();
        options.PaceEveryServer = true;
        return options;
    }

    /// <summary>One process: one container, so one limiter and one token cache, as the operator and the CLI have.</summary>
    private static ServiceProvider Services(BitwardenClientOptions options)
    {
        var services = new ServiceCollection().AddLogging().AddBitwardenClient();
        services.AddSingleton(Options.Create(options));
        return services.BuildServiceProvider();
    }

    /// <summary>A sync's import: its own typed client (as each sync gets), <paramref name="requests"/> POSTs of one member each.
    /// With <paramref name="freshToken"/> it has a token cache of its own, so it asks for a token as another organization would.</summary>
    private static Task ImportAsync(ServiceProvider services, BitwardenStandIn standIn, int sync, int requests, bool freshToken = false, CancellationToken cancellationToken = default)
    {
        var client = freshToken
            ? new BitwardenClient(services.GetRequiredService<IHttpClientFactory>().CreateClient(DirectoryHttpClientFactory.NameOf<BitwardenClient>()), TimeProvider.System,
                services.GetRequiredService<ILogger<BitwardenClient>>(), services.GetRequiredService<IOptions<BitwardenClientOptions>>(), new BitwardenTokenCache())
            : services.GetRequiredService<DirectoryHttpClientFactory>().Create<BitwardenClient>(null);
        var batches = Enumerable.Range(0, requests).Select(i => Request([Member($"sync{sync}-user{i}")])).ToList();
        return client.ImportAsync(Endpoints(standIn), Key(standIn), batches, cancellationToken);
    }
}
