using DirectoryConnector.Engine.Sources.OneLogin;
using DirectoryConnector.Engine.Sync;
using Microsoft.Extensions.DependencyInjection;
using DirectoryConnector.TestSupport.OneLogin;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Engine.Tests.Sources.OneLogin.OneLoginTestKit;

namespace DirectoryConnector.Engine.Tests.Sources.OneLogin;

/// <summary>The typed OneLogin client over real HTTPS against the loopback stand-in.</summary>
public sealed class OneLoginClientTests : IAsyncLifetime
{
    private readonly ServiceProvider services = Services();
    private OneLoginStandIn standIn = null!;

    public async Task InitializeAsync() => standIn = await StartAsync(new OneLoginStandInOptions { MaxPageSize = 4 });

    public async Task DisposeAsync()
    {
        await standIn.DisposeAsync();
        await services.DisposeAsync();
    }

    private OneLoginClient Client(OneLoginStandIn from) => services.OneLoginClient(from);

    private static async Task<OneLoginStandIn> StartAsync(OneLoginStandInOptions options)
    {
        var started = await OneLoginStandIn.StartAsync(options);
        started.Account.Put([.. Enumerable.Range(1, 13).Select(i => User(i, $"user{i:D2}"))]);
        return started;
    }

    [Fact]
    public async Task EveryPageIsReadThroughAfterCursorAndOneTokenServesAllCallsAcrossClients()
    {
        var client = Client(standIn);

        var users = await ToListAsync(client.ListUsersAsync(Connection(standIn), "email=user*", "spec.filters.users", CancellationToken.None));
        var again = await ToListAsync(Client(standIn).ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        users.Select(u => u.Id).Should().Equal(Enumerable.Range(1, 13).Select(i => (long)i));
        again.Should().HaveCount(13);
        standIn.TokenRequests.Should().ContainSingle();
        var pages = standIn.ApiRequests;
        pages.Should().HaveCount(8, "13 users at 4 a page are 4 pages, twice");
        pages.Skip(1).Take(3).Should().AllSatisfy(r => r.Query.Should().Contain("cursor=").And.Contain("email=user*", "the cursor carries only limit and page"));
        pages.Should().AllSatisfy(r => r.Authorization.Should().StartWith("Bearer "));
    }

    [Fact]
    public async Task ARevokedTokenIsReplacedOnceAndTheListCompletes()
    {
        var client = Client(standIn);
        await ToListAsync(client.ListRolesAsync(Connection(standIn), null, "spec.filters.groups", CancellationToken.None));

        standIn.RevokeTokens();
        var users = await ToListAsync(client.ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        users.Should().HaveCount(13);
        standIn.TokenRequests.Should().HaveCount(2);
        standIn.ApiRequests.Count(r => r.StatusCode == 401).Should().Be(1);
    }

    [Fact]
    public async Task A401AfterAFreshTokenIsSourceAuthFailedNamingTheSecretRef()
    {
        standIn.FailNext(2, 401);

        var read = () => ToListAsync(Client(standIn).ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("spec.source.oneLogin.clientSecretRef").And.NotContain(standIn.ClientSecret);
        standIn.TokenRequests.Should().HaveCount(2, "one fresh token, then it gives up");
    }

    [Fact]
    public async Task AWrongSecretIsSourceAuthFailedWithoutTheSecret()
    {
        var read = () => ToListAsync(Client(standIn).ListUsersAsync(Connection(standIn, "not-the-secret-42"), null, "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Retryable.Should().BeFalse();
        error.Message.Should().Contain("clientSecretRef").And.Contain("Authentication Failure").And.NotContain("not-the-secret-42");
        standIn.ApiRequests.Should().BeEmpty();
    }

    [Fact]
    public async Task ACredentialWithoutReadUsersScopeIsToldThePermissionToGrant()
    {
        await using var limited = await StartAsync(new OneLoginStandInOptions { Scope = "Authentication Only" });

        var read = () => ToListAsync(Client(limited).ListUsersAsync(Connection(limited), null, "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceAuthFailed);
        error.Message.Should().Contain("403").And.Contain("\"Read users\"");
    }

    [Fact]
    public async Task ARejectedQueryIsSourceQueryFailedNamingTheFilter()
    {
        var read = () => ToListAsync(Client(standIn).ListUsersAsync(Connection(standIn), "emial=x", "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceQueryFailed);
        error.Message.Should().Contain("spec.filters.users").And.Contain("Unknown query parameter: emial");
    }

    [Fact]
    public async Task AServerErrorIsRetriedThenRetryableSourceUnavailable()
    {
        standIn.FailNext(1, 503);
        (await ToListAsync(Client(standIn).ListRolesAsync(Connection(standIn), null, "spec.filters.groups", CancellationToken.None))).Should().BeEmpty();
        standIn.FailNext(4, 503);

        var read = () => ToListAsync(Client(standIn).ListRolesAsync(Connection(standIn), null, "spec.filters.groups", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Retryable.Should().BeTrue();
    }

    [Fact]
    public async Task AnUntrustedCertificateNamesCaSecretRef()
    {
        var client = services.OneLoginClient(standIn, TestSupport.Ldap.TestCertificates.Create().CaPem);

        var read = () => ToListAsync(client.ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Message.Should().Contain("spec.source.oneLogin.caSecretRef");
        error.Retryable.Should().BeFalse();
    }

    [Fact]
    public async Task AnExhaustedBudgetPausesUntilTheResetInsteadOfRunningInto429()
    {
        await using var limited = await StartAsync(new OneLoginStandInOptions { MaxPageSize = 2, RateLimit = 3, RateLimitWindow = TimeSpan.FromSeconds(1) });
        var users = await ToListAsync(Client(limited).ListUsersAsync(Connection(limited), null, "spec.filters.users", CancellationToken.None));

        users.Select(u => u.Id).Should().Equal(Enumerable.Range(1, 13).Select(i => (long)i));
        // The stand-in answers 429 to any call that arrives while the window's budget is spent, so seven 200s mean each
        // call after X-RateLimit-Remaining: 0 waited for the reset (however fast or slow the machine ran the calls).
        limited.ApiRequests.Should().HaveCount(7).And.OnlyContain(r => r.StatusCode == 200, "X-RateLimit-Remaining: 0 holds the next call until the reset");
    }

    [Fact]
    public async Task A429WaitsForTheResetAndTheListEndsAsUnthrottled()
    {
        standIn.FailNext(2, 429);

        var users = await ToListAsync(Client(standIn).ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        users.Select(u => u.Id).Should().Equal(Enumerable.Range(1, 13).Select(i => (long)i));
        standIn.ApiRequests.Select(r => r.StatusCode).Should().Equal(429, 429, 200, 200, 200, 200);
        var requests = standIn.ApiRequests;
        (requests[2].Time - requests[0].Time).Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(1.9), "each 429 waits the X-RateLimit-Reset of 1 s");
    }

    [Fact]
    public async Task TooManyThrottledAttemptsFailRetryably()
    {
        standIn.FailNext(2, 429);
        await using var impatient = Services(o => o.MaxAttempts = 2);
        var client = impatient.OneLoginClient(standIn);

        var read = () => ToListAsync(client.ListUsersAsync(Connection(standIn), null, "spec.filters.users", CancellationToken.None));

        var error = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        error.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        error.Retryable.Should().BeTrue();
        error.Message.Should().Contain("429");
    }
}
