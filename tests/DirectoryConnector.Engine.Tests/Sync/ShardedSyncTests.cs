using DirectoryConnector.TestSupport;
using System.Text.Json;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.Engine.Tests.Sources;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace DirectoryConnector.Engine.Tests;

/// <summary>
/// Per-shard diffs: a sync posts only the members and groups of shards that changed since the last successful post,
/// against the loopback Bitwarden stand-in with the cloud's 2000-entry limit (5,000 users, 500 groups, 3 groups each).
/// </summary>
public sealed class ShardedSyncTests : IAsyncLifetime
{
    private const int UserCount = 5_000;
    private const int GroupCount = 500;
    private const int Entries = UserCount + GroupCount;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Directory directory = new();
    private readonly InMemoryReferences secrets = new();
    private BitwardenStandIn standIn = null!;
    private ServiceProvider services = null!;

    public async Task InitializeAsync()
    {
        standIn = await BitwardenStandIn.StartAsync(new BitwardenStandInOptions { SelfHosted = false });
        secrets.Secrets[("bitwarden-org-api-key", "client_id")] = standIn.ClientId;
        secrets.Secrets[("bitwarden-org-api-key", "client_secret")] = standIn.ClientSecret;
        services = new ServiceCollection()
            .AddDirectoryConnectorEngine()
            .Configure<BitwardenClientOptions>(o => o.MaxAttempts = 1)
            .BuildServiceProvider();
        for (var i = 0; i < UserCount; i++)
        {
            directory.Users.Add(User(i, $"user{i}@example.com"));
        }

        for (var g = 0; g < GroupCount; g++)
        {
            var members = Enumerable.Range(0, UserCount).Where(i => i % GroupCount == g || (i * 7) % GroupCount == g || (i * 13) % GroupCount == g);
            directory.Groups.Add(Group(g, $"Group {g}", members));
        }
    }

    public async Task DisposeAsync()
    {
        await services.DisposeAsync();
        await standIn.DisposeAsync();
    }

    private static DirectoryUser User(int i, string email) => new(UserDn(i), UserDn(i), email, Disabled: false, Deleted: false, UserDn(i));

    private static string UserDn(int i) => $"uid=user{i:D5},ou=people,dc=example,dc=com";

    private static DirectoryGroup Group(int g, string name, IEnumerable<int> members)
        => new(GroupDn(g), GroupDn(g), name, [.. members.Select(UserDn)], Selected: true, GroupDn(g));

    private static string GroupDn(int g) => $"cn=group{g:D3},ou=groups,dc=example,dc=com";

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

    /// <summary>One run, its state kept as the CLI keeps it (a JSON file) and the import requests it posted.</summary>
    private async Task<(SyncOutcome Outcome, SyncState State, IReadOnlyList<ImportBody> Posted)> SyncAsync(SyncState? previous, DirectorySyncSpec? spec = null, SyncRunOptions? options = null)
    {
        var before = standIn.ImportRequests.Count;
        var outcome = await services.GetRequiredService<SyncEngine>().SyncAsync(EngineServices.Validator.Check(spec ?? Spec()), directory, secrets, previous, options ?? new SyncRunOptions(), CancellationToken.None);
        return (outcome, RoundTrip(outcome.State), Posted(before));
    }

    private IReadOnlyList<ImportBody> Posted(int skip)
        => [.. standIn.ImportRequests.Skip(skip).Where(r => r.StatusCode == 200).Select(r => JsonSerializer.Deserialize<ImportBody>(r.Body, Json)!)];

    private static SyncState RoundTrip(SyncState state) => JsonSerializer.Deserialize<SyncState>(JsonSerializer.Serialize(state, Json), Json)!;

    [Fact]
    public async Task One_changed_user_is_posted_in_one_request_with_at_most_one_percent_of_the_entries()
    {
        var (_, first, initial) = await SyncAsync(previous: null);
        initial.Sum(r => r.Members.Count).Should().Be(UserCount);
        directory.Users[1234] = User(1234, "user1234.renamed@example.com");

        var (outcome, _, posted) = await SyncAsync(first);

        outcome.Result.Should().Be(SyncResult.Synced);
        posted.Should().ContainSingle("one changed user touches one member shard");
        var request = posted[0];
        (request.Members.Count + request.Groups.Count).Should().BeLessThanOrEqualTo(Entries / 100);
        request.Groups.Should().BeEmpty("no group's content changed");
        request.Members.Should().Contain(m => m.ExternalId == UserDn(1234) && m.Email == "user1234.renamed@example.com");
        request.Members.Select(m => ShardHashes.ShardOf(m.ExternalId)).Distinct().Should().Equal(ShardHashes.ShardOf(UserDn(1234)));
    }

    [Fact]
    public async Task One_renamed_group_posts_that_group_only_whole()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        var old = directory.Groups[77];
        directory.Groups.Should().Contain(g => g.ExternalId != old.ExternalId && ShardHashes.ShardOf(g.ExternalId) == ShardHashes.ShardOf(old.ExternalId),
            "the test needs other groups in the changed group's shard");
        directory.Groups[77] = old with { Name = "Platform" };

        var (outcome, _, posted) = await SyncAsync(first);

        outcome.Result.Should().Be(SyncResult.Synced);
        var request = posted.Should().ContainSingle().Subject;
        request.Members.Should().BeEmpty();
        var group = request.Groups.Should().ContainSingle("the other groups of its shard did not change").Subject;
        group.ExternalId.Should().Be(GroupDn(77));
        group.Name.Should().Be("Platform");
        group.MemberExternalIds.Should().BeEquivalentTo(old.MemberReferences, "a group is always sent with its full member list");
        standIn.Organization.Groups.Should().Contain(g => g.ExternalId == GroupDn(77) && g.Name == "Platform");
    }

    [Fact]
    public async Task A_member_added_to_one_group_posts_that_group_only_with_its_full_member_list()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        // A group that shares its shard with others.
        var index = Enumerable.Range(100, GroupCount - 100).First(g => Enumerable.Range(0, GroupCount).Any(o => o != g && ShardHashes.ShardOf(GroupDn(o)) == ShardHashes.ShardOf(GroupDn(g))));
        var old = directory.Groups[index];
        var joiner = Enumerable.Range(0, UserCount).Select(UserDn).First(dn => !old.MemberReferences.Contains(dn));
        directory.Groups[index] = old with { MemberReferences = [.. old.MemberReferences, joiner] };
        var neighbours = standIn.Organization.Groups.Where(g => g.ExternalId != old.ExternalId && ShardHashes.ShardOf(g.ExternalId!) == ShardHashes.ShardOf(old.ExternalId))
            .ToDictionary(g => g.ExternalId!, g => g.Name);
        neighbours.Should().NotBeEmpty();

        var (_, second, posted) = await SyncAsync(first);

        var group = posted.Should().ContainSingle().Which.Groups.Should().ContainSingle().Subject;
        group.ExternalId.Should().Be(GroupDn(index));
        group.MemberExternalIds.Should().BeEquivalentTo([.. old.MemberReferences, joiner]);
        posted[0].Members.Should().BeEmpty();
        MemberExternalIdsOf(GroupDn(index)).Should().BeEquivalentTo([.. old.MemberReferences, joiner]);
        standIn.Organization.Groups.Where(g => neighbours.ContainsKey(g.ExternalId!)).Should().OnlyContain(g => neighbours[g.ExternalId!] == g.Name);

        var (again, _, none) = await SyncAsync(second);
        again.Result.Should().Be(SyncResult.UpToDate);
        none.Should().BeEmpty();
    }

    [Fact]
    public async Task A_group_that_left_the_directory_posts_nothing_and_is_forgotten()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        directory.Groups.RemoveAt(42);

        var (outcome, second, posted) = await SyncAsync(first);

        outcome.Result.Should().Be(SyncResult.UpToDate, "without prune the server keeps groups an import does not list, and the others did not change");
        posted.Should().BeEmpty();
        GroupDigestSet.Decode(second.GroupDigests)!.Count.Should().Be(GroupCount - 1);
        standIn.Organization.Groups.Should().Contain(g => g.ExternalId == GroupDn(42));
    }

    [Fact]
    public async Task An_import_interrupted_before_its_groups_resumes_with_exactly_the_changed_groups()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        GroupDigestSet.Decode(first.GroupDigests)!.Count.Should().Be(GroupCount);
        for (var i = 0; i < UserCount; i++)
        {
            directory.Users[i] = User(i, $"moved{i}@example.com");
        }

        const int Renamed = 400;
        for (var g = 0; g < Renamed; g++)
        {
            directory.Groups[g] = directory.Groups[g] with { Name = $"Renamed {g}" };
        }

        var renamedShards = Enumerable.Range(0, Renamed).Select(g => ShardHashes.ShardOf(GroupDn(g))).ToHashSet();
        Enumerable.Range(Renamed, GroupCount - Renamed).Should().Contain(g => renamedShards.Contains(ShardHashes.ShardOf(GroupDn(g))),
            "the test needs unchanged groups in changed shards");

        // 5,000 changed members go in three requests of at most 2,000; the fourth, with the groups, fails.
        var before = standIn.ImportRequests.Count;
        standIn.PassNext(3);
        standIn.FailNext(1, 400);
        var act = () => SyncAsync(first);
        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        var applied = Posted(before);
        applied.Should().HaveCount(3).And.OnlyContain(r => r.Groups.Count == 0);
        var partial = RoundTrip(SyncEngine.FailedAttempt(first, DateTimeOffset.UtcNow, failure));

        var (outcome, resumed, posted) = await SyncAsync(partial);

        outcome.Result.Should().Be(SyncResult.Synced);
        posted.SelectMany(r => r.Members).Should().BeEmpty("every member shard was applied before the failure");
        posted.SelectMany(r => r.Groups).Select(g => g.ExternalId).Should().BeEquivalentTo(Enumerable.Range(0, Renamed).Select(GroupDn),
            "the renamed groups were never applied; the others were posted before and did not change");
        standIn.Organization.Groups.Where(g => g.Name.StartsWith("Renamed ", StringComparison.Ordinal)).Should().HaveCount(Renamed);

        var (_, _, again) = await SyncAsync(resumed);
        again.Should().BeEmpty();
    }

    [Fact]
    public async Task A_state_without_group_digests_posts_the_changed_shard_whole_once()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        directory.Groups[77] = directory.Groups[77] with { Name = "Platform" };

        var (_, upgraded, posted) = await SyncAsync(first with { GroupDigests = null });

        posted.Should().ContainSingle().Which.Groups.Select(g => ShardHashes.ShardOf(g.ExternalId)).Should()
            .OnlyContain(shard => shard == ShardHashes.ShardOf(GroupDn(77))).And.HaveCountGreaterThan(1);
        GroupDigestSet.Decode(upgraded.GroupDigests)!.Count.Should().Be(GroupCount);

        directory.Groups[78] = directory.Groups[78] with { Name = "Security" };
        var (_, _, one) = await SyncAsync(upgraded);
        one.Should().ContainSingle().Which.Groups.Should().ContainSingle().Which.ExternalId.Should().Be(GroupDn(78));
    }

    [Fact]
    public async Task Force_posts_every_group_whatever_the_digests_say()
    {
        var (_, first, _) = await SyncAsync(previous: null);

        var (_, _, posted) = await SyncAsync(first, options: new SyncRunOptions { Force = true });

        posted.Sum(r => r.Groups.Count).Should().Be(GroupCount);
    }

    private IEnumerable<string> MemberExternalIdsOf(string groupExternalId)
    {
        var organization = standIn.Organization;
        var group = organization.Groups.Single(g => g.ExternalId == groupExternalId);
        return organization.Members.Where(m => group.MemberIds.Contains(m.Id)).Select(m => m.ExternalId!);
    }

    [Fact]
    public async Task Nothing_changed_posts_zero_bytes()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        var requestsBefore = standIn.ImportRequests.Count;

        var (outcome, second, posted) = await SyncAsync(first);

        outcome.Result.Should().Be(SyncResult.UpToDate);
        posted.Should().BeEmpty();
        standIn.ImportRequests.Skip(requestsBefore).Sum(r => r.Body.Length).Should().Be(0);
        second.MemberShards.Should().Be(first.MemberShards);
        second.GroupShards.Should().Be(first.GroupShards);
        second.MemberShards!.Length.Should().Be(5464, "256 shards × 16 bytes, base64, whatever the directory's size");
    }

    [Fact]
    public async Task An_import_interrupted_after_two_requests_resumes_with_only_the_rest()
    {
        standIn.PassNext(2);
        standIn.FailNext(1, 400);
        var act = () => SyncAsync(previous: null);
        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        var appliedBefore = Posted(0);
        appliedBefore.Should().HaveCount(2);
        appliedBefore.Should().OnlyContain(r => r.Groups.Count == 0, "members are posted before groups");
        var partial = RoundTrip(SyncEngine.FailedAttempt(previous: null, DateTimeOffset.UtcNow, failure));
        partial.MemberShards.Should().NotBeNull();

        var (outcome, resumed, posted) = await SyncAsync(partial);

        outcome.Result.Should().Be(SyncResult.Synced);
        var firstIds = appliedBefore.SelectMany(r => r.Members).Select(m => m.ExternalId).ToHashSet();
        var resumedIds = posted.SelectMany(r => r.Members).Select(m => m.ExternalId).ToList();
        firstIds.Union(resumedIds).Should().HaveCount(UserCount, "every member is posted by one run or the other");
        // Only the shard cut in two by the interruption is posted twice.
        resumedIds.Where(firstIds.Contains).Select(ShardHashes.ShardOf).Distinct().Should().HaveCountLessThanOrEqualTo(1);
        resumedIds.Count.Should().BeLessThan(UserCount - 3_900);
        posted.Sum(r => r.Groups.Count).Should().Be(GroupCount, "no group had been posted");
        standIn.Organization.Members.Should().HaveCount(UserCount);

        var (_, _, again) = await SyncAsync(resumed);
        again.Should().BeEmpty();
    }

    [Fact]
    public async Task A_state_from_before_shards_posts_everything_once_when_its_hash_differs_then_only_changes()
    {
        var (_, first, _) = await SyncAsync(previous: null);
        var old = first with { MemberShards = null, GroupShards = null };
        directory.Users[10] = User(10, "changed10@example.com");

        var (_, upgraded, everything) = await SyncAsync(old);
        everything.Sum(r => r.Members.Count).Should().Be(UserCount, "a single members hash cannot tell which member changed");
        everything.Sum(r => r.Groups.Count).Should().Be(0, "the single groups hash still matches");

        directory.Users[11] = User(11, "changed11@example.com");
        var (_, _, one) = await SyncAsync(upgraded);
        one.Should().ContainSingle().Which.Members.Should().Contain(m => m.Email == "changed11@example.com");
        one[0].Members.Count.Should().BeLessThan(Entries / 100);
    }

    [Fact]
    public async Task A_state_from_before_shards_whose_hashes_match_posts_nothing_and_records_the_shards()
    {
        var (_, first, _) = await SyncAsync(previous: null);

        var (outcome, upgraded, posted) = await SyncAsync(first with { MemberShards = null, GroupShards = null });

        outcome.Result.Should().Be(SyncResult.UpToDate);
        posted.Should().BeEmpty();
        upgraded.MemberShards.Should().Be(first.MemberShards);
        upgraded.GroupShards.Should().Be(first.GroupShards);
    }

    [Fact]
    public async Task Overwrite_existing_posts_every_member_and_group_for_one_change()
    {
        directory.Users.RemoveRange(1_500, UserCount - 1_500); // overwriteExisting must fit one request
        directory.Groups.RemoveRange(50, GroupCount - 50);
        for (var g = 0; g < directory.Groups.Count; g++)
        {
            directory.Groups[g] = directory.Groups[g] with { MemberReferences = [.. directory.Groups[g].MemberReferences.Where(dn => string.CompareOrdinal(dn, UserDn(1_500)) < 0)] };
        }

        var spec = Spec(sync => sync.OverwriteExisting = true);
        var (_, first, _) = await SyncAsync(previous: null, spec);
        directory.Users[3] = User(3, "changed3@example.com");

        var (_, _, posted) = await SyncAsync(first, spec);

        var request = posted.Should().ContainSingle().Subject;
        request.OverwriteExisting.Should().BeTrue();
        request.Members.Should().HaveCount(1_500);
        request.Groups.Should().HaveCount(50);
    }

    [Fact]
    public async Task Prune_removes_a_user_who_left_posting_only_the_shards_that_changed()
    {
        var spec = Spec(sync => sync.Prune = true);
        var (_, first, _) = await SyncAsync(previous: null, spec);
        var leaver = UserDn(4321);
        directory.Users.RemoveAt(4321);
        for (var g = 0; g < directory.Groups.Count; g++)
        {
            directory.Groups[g] = directory.Groups[g] with { MemberReferences = [.. directory.Groups[g].MemberReferences.Where(dn => dn != leaver)] };
        }

        var (outcome, _, posted) = await SyncAsync(first, spec);

        outcome.Changes!.Removed.Should().Equal("user4321@example.com");
        standIn.Organization.Members.Should().NotContain(m => m.ExternalId == leaver);
        var request = posted.Should().ContainSingle().Subject;
        request.Members.Should().Contain(m => m.ExternalId == leaver && m.Deleted);
        (request.Members.Count + request.Groups.Count).Should().BeLessThanOrEqualTo(Entries / 100);
        request.Groups.Select(g => g.ExternalId).Should().Contain(GroupDn(4321 % GroupCount), "the groups it left are sent whole");
    }

    private sealed record ImportBody(List<ImportGroupRequest> Groups, List<ImportMemberRequest> Members, bool OverwriteExisting, bool LargeImport);

    private sealed class Directory : IDirectorySource
    {
        public List<DirectoryUser> Users { get; } = [];

        public List<DirectoryGroup> Groups { get; } = [];

        public Task<DirectorySnapshot> ReadAsync(DirectoryQuery query, CancellationToken cancellationToken)
            => Task.FromResult(new DirectorySnapshot { Users = [.. Users], Groups = query.Groups ? [.. Groups] : [] });
    }
}
