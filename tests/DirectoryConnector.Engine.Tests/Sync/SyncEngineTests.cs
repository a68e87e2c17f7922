using System.Text.Json;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

// Not ".Sync": that namespace would shadow DirectoryConnector.Engine.Sync for the other test folders.
namespace DirectoryConnector.Engine.Tests;

/// <summary>The engine with the real planner and Bitwarden client, against the loopback Bitwarden stand-in.</summary>
public sealed class SyncEngineTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    private readonly InMemorySource source = new();
    private readonly Secrets secrets = new();
    private BitwardenStandIn standIn = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync();
        secrets.Values[("bitwarden-org-api-key", "client_id")] = standIn.ClientId;
        secrets.Values[("bitwarden-org-api-key", "client_secret")] = standIn.ClientSecret;
        services = new ServiceCollection()
            .AddSingleton<TimeProvider>(new FixedTime(Now))
            .AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o => { o.MaxAttempts = 1; o.MinimumPostInterval = TimeSpan.Zero; })
            .BuildServiceProvider();
        source.Users.Add(User("alice"));
        source.Users.Add(User("bob"));
        source.Groups.Add(Group("eng", "alice", "bob"));
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await standIn.DisposeAsync();
    }

    private SyncEngine Engine => services.GetRequiredService<SyncEngine>();

    private DirectorySyncSpec Spec(Action<SyncOptionsSpec>? sync = null)
    {
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = standIn.BaseUrl.ToString(), ApiKeySecretRef = new ApiKeySecretRef { Name = "bitwarden-org-api-key" } },
            Source = new SourceSpec { File = new FileSourceSpec { Path = "unused.ldif" } },
        };
        sync?.Invoke(spec.Sync);
        return spec;
    }

    private static DirectoryUser User(string name, string? email = "") =>
        new($"cn={name}", $"cn={name}", email == "" ? $"{name}@example.com" : email, Disabled: false, Deleted: false, $"cn={name}");

    private static DirectoryGroup Group(string name, params string[] users) =>
        new($"cn={name},ou=groups", $"cn={name},ou=groups", name, [.. users.Select(u => $"cn={u}")], Selected: true, $"cn={name},ou=groups");

    private Task<SyncOutcome> SyncAsync(DirectorySyncSpec spec, SyncState? previous, SyncRunOptions? options = null)
        => Engine.SyncAsync(spec, source, secrets, previous, options ?? new SyncRunOptions(), CancellationToken.None);

    [Fact]
    public async Task AFirstSyncPostsBothPartsAndRecordsTheState()
    {
        var outcome = await SyncAsync(Spec(), previous: null);

        outcome.Result.Should().Be(SyncResult.Synced);
        standIn.ImportRequests.Should().ContainSingle();
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com");
        outcome.State.Should().BeEquivalentTo(new SyncState
        {
            MembersHash = outcome.Plan.MembersHash,
            GroupsHash = outcome.Plan.GroupsHash,
            LastSyncTime = Now,
            LastSuccessfulSyncTime = Now,
            UserCount = 2,
            GroupCount = 1,
            SkippedCount = 0,
            ManagedMembers = ["cn=alice", "cn=bob"],
            ManagedGroups = ["cn=eng,ou=groups"],
        });
    }

    [Fact]
    public async Task TheSameDirectoryForAnotherOrganizationIsNeverUpToDate()
    {
        var first = await SyncAsync(Spec(), previous: null);
        await using var otherOrganization = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { OrganizationId = Guid.NewGuid() });
        secrets.Values[("bitwarden-org-api-key", "client_id")] = otherOrganization.ClientId;
        secrets.Values[("bitwarden-org-api-key", "client_secret")] = otherOrganization.ClientSecret;
        var spec = Spec();
        spec.Bitwarden.ServerUrl = otherOrganization.BaseUrl.ToString();

        var second = await SyncAsync(spec, first.State);

        second.Result.Should().Be(SyncResult.Synced, "a state kept for one organization says nothing about another");
        otherOrganization.Organization.Members.Should().HaveCount(2);
    }

    [Fact]
    public async Task DryRunPostsNothingAndDoesNotAdvanceTheHashes()
    {
        var outcome = await SyncAsync(Spec(), previous: null, new SyncRunOptions(DryRun: true));

        outcome.Result.Should().Be(SyncResult.DryRun);
        outcome.Requests.Should().ContainSingle();
        standIn.ImportRequests.Should().BeEmpty();
        standIn.PublicApiRequests.Should().OnlyContain(r => r.Method == "GET", "a dry run reads the organization to report what would change");
        outcome.State.MembersHash.Should().BeNull();
        outcome.State.LastSuccessfulSyncTime.Should().BeNull();
    }

    [Fact]
    public async Task WithOverwriteExistingAGroupChangeStillSendsEveryMember()
    {
        var spec = Spec(s => s.OverwriteExisting = true);
        var first = await SyncAsync(spec, previous: null);
        source.Groups[0] = Group("eng", "alice");

        var second = await SyncAsync(spec, first.State);

        second.MembersChanged.Should().BeTrue();
        second.GroupsChanged.Should().BeTrue();
        var body = JsonDocument.Parse(standIn.ImportRequests[^1].Body).RootElement;
        body.GetProperty("members").GetArrayLength().Should().Be(2, "an overwrite without every member would remove the missing ones");
        standIn.Organization.Members.Should().HaveCount(2);
    }

    [Fact]
    public async Task AnEmptySourceWithOverwriteExistingFailsEvenOnTheFirstRun()
    {
        source.Users.Clear();
        source.Groups.Clear();

        var failure = await FluentActions.Awaiting(() => SyncAsync(Spec(s => s.OverwriteExisting = true), previous: null))
            .Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.SourceEmpty);
        failure.Which.Retryable.Should().BeTrue();
        failure.Which.Message.Should().Contain("overwriteExisting is on and would remove every member");
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task UsersThatAllLostTheirEmailCountAsAnEmptySource()
    {
        var first = await SyncAsync(Spec(), previous: null);
        source.Users[0] = User("alice", email: null);
        source.Users[1] = User("bob", email: null);

        var failure = await FluentActions.Awaiting(() => SyncAsync(Spec(), first.State)).Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.SourceEmpty);
        failure.Which.Message.Should().StartWith("None of the 2 users the directory returned can be sent");
        standIn.ImportRequests.Should().ContainSingle();
    }

    [Fact]
    public async Task AnEmptySourceIsFineWhenNothingWasEverSynced()
    {
        source.Users.Clear();
        source.Groups.Clear();

        var outcome = await SyncAsync(Spec(), previous: null);

        outcome.Result.Should().Be(SyncResult.Synced);
        outcome.State.UserCount.Should().Be(0);
    }

    [Fact]
    public async Task ASourceCrashBecomesARetryableFailureAndNothingIsPosted()
    {
        source.Failure = new IOException("connection reset by peer");

        var failure = await FluentActions.Awaiting(() => SyncAsync(Spec(), previous: null)).Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Which.Retryable.Should().BeTrue();
        failure.Which.Message.Should().Be("Reading the directory failed: connection reset by peer");
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AnOrganizationIdThatDisagreesWithTheApiKeyIsInvalid()
    {
        var spec = Spec();
        spec.Bitwarden.OrganizationId = Guid.NewGuid().ToString();

        var failure = await FluentActions.Awaiting(() => SyncAsync(spec, previous: null)).Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Which.Message.Should().Contain("spec.bitwarden.organizationId").And.NotContain(standIn.ClientSecret);
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public async Task AnInvalidSpecIsRefusedBeforeAnythingIsRead()
    {
        var spec = Spec(s => s.Users = false);
        spec.Sync.Groups = false;
        source.Failure = new InvalidOperationException("the source must not be read");

        var failure = await FluentActions.Awaiting(() => SyncAsync(spec, previous: null)).Should().ThrowAsync<SyncFailedException>();

        failure.Which.Reason.Should().Be(SyncFailureReason.InvalidSpec);
        failure.Which.Message.Should().Be("spec.sync: users and groups are both false: there is nothing to sync");
    }

    [Fact]
    public async Task PreviewNeverResolvesTheApiKeyNorCallsBitwarden()
    {
        secrets.Values.Clear();

        var outcome = await Engine.PreviewAsync(Spec(), source, CancellationToken.None);

        outcome.Result.Should().Be(SyncResult.Previewed);
        outcome.Requests.Should().ContainSingle().Which.Members.Should().HaveCount(2);
        standIn.Requests.Should().BeEmpty();
    }

    [Fact]
    public void AFailedAttemptKeepsTheHashesAndMovesOnlyTheAttemptTime()
    {
        var previous = new SyncState { MembersHash = "m", GroupsHash = "g", LastSyncTime = Now.AddHours(-1), LastSuccessfulSyncTime = Now.AddHours(-1), UserCount = 5 };

        SyncEngine.FailedAttempt(previous, Now).Should().Be(previous with { LastSyncTime = Now });
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private sealed class InMemorySource : IDirectorySource
    {
        public List<DirectoryUser> Users { get; } = [];

        public List<DirectoryGroup> Groups { get; } = [];

        public Exception? Failure { get; set; }

        public Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
            => Failure is not null
                ? Task.FromException<DirectorySnapshot>(Failure)
                : Task.FromResult(new DirectorySnapshot { Users = [.. Users], Groups = query.Groups ? [.. Groups] : [] });
    }

    private sealed class Secrets : IReferenceResolver
    {
        public Dictionary<(string Name, string Key), string> Values { get; } = [];

        public Task<string> GetSecretValueAsync(string secretName, string key, CancellationToken cancellationToken)
            => Values.TryGetValue((secretName, key), out var value)
                ? Task.FromResult(value)
                : throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"Secret {secretName} key {key} not found", retryable: false);

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, CancellationToken cancellationToken)
            => throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap {configMapName} not found", retryable: false);
    }
}
