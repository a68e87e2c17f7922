using DirectoryConnector.TestSupport;
using System.Text.Json;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using DirectoryConnector.Engine.Sources.File;

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
            .Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1)
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
        => Engine.SyncAsync(EngineServices.Validator.Check(spec), source, secrets, previous, options ?? new SyncRunOptions(), CancellationToken.None);

    [Fact]
    public async Task AFirstSyncPostsBothPartsAndRecordsTheState()
    {
        var outcome = await SyncAsync(Spec(), previous: null);

        outcome.Result.Should().Be(SyncResult.Synced);
        standIn.ImportRequests.Should().ContainSingle();
        standIn.Organization.Members.Select(m => m.Email).Should().BeEquivalentTo("alice@example.com", "bob@example.com");
        outcome.State.Should().BeEquivalentTo(new SyncState
        {
            MembersHash = outcome.Plan!.MembersHash,
            GroupsHash = outcome.Plan!.GroupsHash,
            MemberShards = outcome.Plan!.MemberShards!.Encode(),
            GroupShards = outcome.Plan!.GroupShards!.Encode(),
            GroupDigests = GroupDigestSet.Of(outcome.Plan!.GroupDigests!.Values).Encode(),
            LastSyncTime = Now,
            LastSuccessfulSyncTime = Now,
            UserCount = 2,
            GroupCount = 1,
            SkippedCount = 0,
            ManagedMembers = ["cn=alice", "cn=bob"],
            ManagedGroups = ["cn=eng,ou=groups"],
            RemovedDisabled = [],
            SourceCursor = source.CurrentCursor,
            SourceCursorScope = outcome.State.SourceCursorScope,
            LastFullReadTime = Now,
            Organization = $"{BitwardenEndpoints.FromSpec(Spec().Bitwarden).ApiUrl.AbsoluteUri.TrimEnd('/')}|{standIn.Organization.Id.ToString().ToUpperInvariant()}",
        });
        outcome.State.SourceCursorScope.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task A_cursor_that_proves_nothing_changed_posts_nothing_and_keeps_the_counts()
    {
        var first = await SyncAsync(Spec(), previous: null);
        standIn.ImportRequests.Should().ContainSingle();

        var second = await SyncAsync(Spec(), first.State);

        source.Queries.Select(q => q.Cursor).Should().Equal(null, first.State.SourceCursor);
        second.Result.Should().Be(SyncResult.UpToDate);
        second.SourceUnchanged.Should().BeTrue();
        second.Plan.Should().BeNull();
        standIn.ImportRequests.Should().ContainSingle("nothing is posted when the source proves nothing changed");
        second.State.Should().Be(first.State with { LastSyncTime = Now, LastSuccessfulSyncTime = Now });
    }

    [Fact]
    public async Task A_change_after_the_cursor_is_read_in_full_and_posted()
    {
        var first = await SyncAsync(Spec(), previous: null);
        source.Users.Add(User("carol"));

        var second = await SyncAsync(Spec(), first.State);

        second.Result.Should().Be(SyncResult.Synced);
        second.SourceUnchanged.Should().BeFalse();
        second.FullReadReason.Should().Be($"changed since {first.State.SourceCursor}");
        standIn.Organization.Members.Select(m => m.Email).Should().Contain("carol@example.com");
        second.State.SourceCursor.Should().Be(source.CurrentCursor).And.NotBe(first.State.SourceCursor);
    }

    [Fact]
    public async Task No_cursor_is_handed_back_after_a_spec_change_a_forced_sync_a_dry_run_or_past_the_full_sync_interval()
    {
        var first = await SyncAsync(Spec(), previous: null);

        await SyncAsync(Spec(sync => sync.RemoveDisabled = true), first.State);
        await SyncAsync(Spec(), first.State, new SyncRunOptions(Force: true));
        await SyncAsync(Spec(), first.State, new SyncRunOptions(DryRun: true));
        await SyncAsync(Spec(), first.State with { LastFullReadTime = Now.AddHours(-25) });
        await SyncAsync(Spec(sync => sync.FullSyncInterval = "48h"), first.State with { LastFullReadTime = Now.AddHours(-25), SourceCursorScope = null });
        await SyncAsync(Spec(), first.State with { MembersHash = null });

        source.Queries.Select(q => q.Cursor).Should().AllBe(null, "each of these must read the whole directory");
        source.Queries.Should().HaveCount(7);
    }

    [Fact]
    public async Task A_failed_sync_does_not_advance_the_cursor()
    {
        var first = await SyncAsync(Spec(), previous: null);
        source.Users.Add(User("carol"));
        standIn.FailNext(10, 500);

        var failed = async () => await SyncAsync(Spec(), first.State);

        await failed.Should().ThrowAsync<SyncFailedException>();
        SyncEngine.FailedAttempt(first.State, Now).SourceCursor.Should().Be(first.State.SourceCursor, "the next sync must read the change again");
    }

    [Fact]
    public async Task A_source_that_claims_unchanged_without_a_cursor_is_a_bug_not_an_empty_directory()
    {
        source.ClaimUnchangedAlways = true;

        var sync = async () => await SyncAsync(Spec(), previous: null);

        await sync.Should().ThrowAsync<InvalidOperationException>();
        standIn.ImportRequests.Should().BeEmpty();
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

        var outcome = await Engine.PreviewAsync(EngineServices.Validator.Check(Spec()), source, CancellationToken.None);

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

        /// <summary>The cursor: a hash of the content, so any change the tests make is seen.</summary>
        public string CurrentCursor => "v" + JsonSerializer.Serialize(new { Users, Groups }).GetHashCode(StringComparison.Ordinal).ToString("x", System.Globalization.CultureInfo.InvariantCulture);

        public bool ClaimUnchangedAlways { get; set; }

        public List<DirectoryQuery> Queries { get; } = [];

        public Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
        {
            Queries.Add(query);
            var cursor = CurrentCursor;
            if (Failure is not null)
            {
                return Task.FromException<DirectorySnapshot>(Failure);
            }

            if (ClaimUnchangedAlways || query.Cursor == cursor)
            {
                return Task.FromResult(new DirectorySnapshot { Users = [], Groups = [], Unchanged = true, Cursor = cursor });
            }

            return Task.FromResult(new DirectorySnapshot
            {
                Users = [.. Users],
                Groups = query.Groups ? [.. Groups] : [],
                Cursor = cursor,
                FullReadReason = query.Cursor is null ? null : $"changed since {query.Cursor}",
            });
        }
    }

    private sealed class Secrets : IReferenceResolver
    {
        public bool AllowsLocalFiles => true;

        public Dictionary<(string Name, string Key), string> Values { get; } = [];

        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken)
            => Values.TryGetValue((secretName, key), out var value)
                ? Task.FromResult(value)
                : throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"Secret {secretName} key {key} not found", retryable: false);

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken)
            => throw new SyncFailedException(SyncFailureReason.SecretNotFound, $"ConfigMap {configMapName} not found", retryable: false);
    }
}
