using DirectoryConnector.TestSupport;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Bitwarden.Organization;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Prune;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Hardening;

/// <summary>
/// Issue 15's Bitwarden faults through the real engine and client against the stand-in: whatever the server does in
/// between (throttling, errors, a hanging request, a response lost after the import was applied, a token expiring
/// between two batches), the organization ends equal to the directory, nobody is duplicated, and the next sync posts
/// nothing. A sync that gives up is retried as the operator retries it (same state, the failed run changed none).
/// </summary>
public sealed class BitwardenFaultTests : IAsyncLifetime, IDisposable
{
    private readonly LdifDirectory _directory = new();
    private BitwardenStandIn _standIn = null!;
    private ServiceProvider _services = null!;
    private SyncState? _state;

    public async Task InitializeAsync()
    {
        _standIn = await BitwardenStandIn.StartAsync();
        _services = new ServiceCollection()
            .AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o =>
            {
                // Production retry rules with test-sized delays: the per-try timeout is what ends a hanging request.
                o.BaseRetryDelay = TimeSpan.FromMilliseconds(50);
                o.MaxRetryDelay = TimeSpan.FromMilliseconds(200);
                o.AttemptTimeout = TimeSpan.FromSeconds(2);
            })
            .Configure<DirectoryHttpClientOptions>(DirectoryHttpClientFactory.NameOf<BitwardenOrganizationClient>(), o => o.MaxAttempts = 1)
            .BuildServiceProvider();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _standIn.DisposeAsync();
    }

    public void Dispose() => _directory.Dispose();

    private DirectorySyncSpec Spec() => new()
    {
        Bitwarden = new BitwardenSpec { ServerUrl = _standIn.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "api-key" } },
        Source = _directory.Source,
        Sync = new SyncOptionsSpec { Prune = true, MaxDeletions = "100%" },
    };

    private LdifDirectory People(int count, string prefix = "user")
    {
        for (var i = 0; i < count; i++)
        {
            _directory.User($"{prefix}{i:D5}");
        }

        _directory.Group("Everyone", [.. Enumerable.Range(0, count).Select(i => _directory.UserDn($"{prefix}{i:D5}"))]);
        _directory.Group("Firsts", _directory.UserDn($"{prefix}00000"));
        return _directory;
    }

    /// <summary>Syncs until success, at most <paramref name="runs"/> times, as the operator's backoff would.</summary>
    private async Task<SyncOutcome> SyncUntilDoneAsync(int runs = 3)
    {
        var engine = _services.GetRequiredService<SyncEngine>();
        for (var run = 1; ; run++)
        {
            try
            {
                var outcome = await engine.SyncAsync(EngineServices.Validator.Check(Spec()), _directory.Write(), new ApiKey(_standIn), _state, new SyncRunOptions(), CancellationToken.None);
                _state = outcome.State;
                return outcome;
            }
            catch (SyncFailedException failure) when (failure.Retryable && run < runs)
            {
            }
        }
    }

    /// <summary>The organization holds exactly the directory: one member per directory user (no duplicate), with
    /// its DN as external id, and the groups with their members.</summary>
    private void OrganizationEqualsTheDirectory(int users, string prefix = "user")
    {
        var expected = Enumerable.Range(0, users).Select(i => ($"{prefix}{i:D5}@example.com", _directory.UserDn($"{prefix}{i:D5}"))).ToList();
        _standIn.Organization.Members.Select(m => (m.Email, m.ExternalId)).Should().BeEquivalentTo(expected);
        var byId = _standIn.Organization.AllMembers.ToDictionary(m => m.Id, m => m.Email);
        _standIn.Organization.Groups.Select(g => (g.Name, Members: string.Join(",", g.MemberIds.Select(id => byId[id]).Order(StringComparer.Ordinal))))
            .Should().BeEquivalentTo(new[]
            {
                ("Everyone", string.Join(",", expected.Select(e => e.Item1))),
                ("Firsts", $"{prefix}00000@example.com"),
            });
    }

    // After a failed sync: still the five members of the first sync, none removed.
    private void OrganizationEqualsTheDirectoryBefore()
        => _standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo(Enumerable.Range(0, 5).Select(i => $"user{i:D5}@example.com"), "a failed sync removes no one");

    private async Task TheNextSyncPostsNothingAsync()
    {
        var imports = _standIn.ImportRequests.Count;
        (await SyncUntilDoneAsync(runs: 1)).Result.Should().Be(SyncResult.UpToDate);
        _standIn.ImportRequests.Count.Should().Be(imports);
    }

    [Fact]
    public async Task A429WithRetryAfterIsWaitedOutAndTheSyncCompletes()
    {
        People(5);
        _standIn.FailNext(1, 429, retryAfter: "1");

        await SyncUntilDoneAsync(runs: 1);

        var imports = _standIn.ImportRequests;
        imports[0].StatusCode.Should().Be(429);
        imports[1].StatusCode.Should().Be(200);
        // The stand-in stamps arrivals with the wall clock, the client waits on the monotonic timer: a few ms apart.
        (imports[1].Time - imports[0].Time).Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "Retry-After: 1 is honoured");
        OrganizationEqualsTheDirectory(5);
        await TheNextSyncPostsNothingAsync();
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(503)]
    public async Task ServerErrorsAreRetriedAndTheOrganizationEndsEqualToTheDirectory(int status)
    {
        People(5);
        await FirstSyncAsync(5);
        _directory.RemoveUser(_directory.UserDn("user00004"));
        _standIn.FailNext(2, status);

        await SyncUntilDoneAsync(runs: 1);

        _standIn.ImportRequests.Select(r => r.StatusCode).Should().Contain(status);
        OrganizationEqualsTheDirectory(4);
        await TheNextSyncPostsNothingAsync();
    }

    [Fact]
    public async Task AnOutageLongerThanTheRetriesFailsRetryablyRemovesNoOneAndTheNextSyncConverges()
    {
        People(5);
        await FirstSyncAsync(5);
        _directory.RemoveUser(_directory.UserDn("user00004"));
        _standIn.FailNext(4, 503);
        var engine = _services.GetRequiredService<SyncEngine>();

        var failed = () => engine.SyncAsync(EngineServices.Validator.Check(Spec()), _directory.Write(), new ApiKey(_standIn), _state, new SyncRunOptions(), CancellationToken.None);

        var failure = (await failed.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.BitwardenUnavailable);
        failure.Retryable.Should().BeTrue();
        OrganizationEqualsTheDirectoryBefore();
        await SyncUntilDoneAsync(runs: 1);
        OrganizationEqualsTheDirectory(4);
        await TheNextSyncPostsNothingAsync();
    }

    [Fact]
    public async Task AHangingRequestTimesOutAndIsRetried()
    {
        People(5);
        _standIn.HangNext(1);

        await SyncUntilDoneAsync(runs: 1);

        _standIn.ImportRequests.Should().HaveCount(2).And.Contain(r => r.StatusCode == 0, "the hanging try was abandoned");
        OrganizationEqualsTheDirectory(5);
        await TheNextSyncPostsNothingAsync();
    }

    [Fact]
    public async Task AResponseLostAfterTheServerAppliedTheImportMakesTheRetryHarmless()
    {
        People(5);
        _standIn.LoseResponseNext(1);

        await SyncUntilDoneAsync();

        _standIn.ImportRequests.Should().HaveCountGreaterThanOrEqualTo(2);
        _standIn.ImportRequests[0].Note.Should().Be("applied, response lost");
        OrganizationEqualsTheDirectory(5);
        await TheNextSyncPostsNothingAsync();
    }

    [Fact]
    public async Task ATokenExpiringBetweenTwoBatchesIsRenewedAndEveryBatchArrives()
    {
        // More entries than one request carries: members then groups in several requests.
        var users = ImportRequestBuilder.BatchSize + 10;
        People(users);
        _standIn.PassNext(1);
        _standIn.ExpireTokensAtNext();

        await SyncUntilDoneAsync(runs: 1);

        _standIn.ImportRequests.Select(r => r.StatusCode).Should().ContainInOrder(200, 401, 200);
        _standIn.TokenRequests.Should().HaveCount(2, "one renewal after the expiry");
        OrganizationEqualsTheDirectory(users);
        await TheNextSyncPostsNothingAsync();
    }

    private async Task FirstSyncAsync(int users)
    {
        await SyncUntilDoneAsync(runs: 1);
        OrganizationEqualsTheDirectory(users);
    }

    private sealed class ApiKey(BitwardenStandIn standIn) : IReferenceResolver
    {
        public bool AllowsLocalFiles => true;

        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
            => Task.FromResult(key == "client_id" ? standIn.ClientId : standIn.ClientSecret);

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
            => throw new NotSupportedException();
    }
}
