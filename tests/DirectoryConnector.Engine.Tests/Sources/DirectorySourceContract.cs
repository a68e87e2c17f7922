using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// What every <see cref="IDirectorySource"/> must do, whatever the directory: derive a test class from this one, seed
/// <see cref="ContractDirectory"/> in the source's own format and implement the members below (README "Adding a
/// directory source"). The rules: a failure never looks like an empty directory; cancellation is honoured; results are
/// deterministic; every entry left out is reported; every page is read (at least three here); a cursor is never
/// trusted blindly and never hides a change.
/// </summary>
public abstract class DirectorySourceContract
{
    private static readonly DirectoryQuery Everything = new(Users: true, Groups: true, IncludeDeleted: false);

    /// <summary>A source over <see cref="ContractDirectory"/>, paging at most 10 entries at a time so that the users
    /// take at least three pages.</summary>
    protected abstract Task<IDirectorySource> CreateSourceAsync();

    /// <summary>A source whose directory rejects the credentials or cannot be reached.</summary>
    protected abstract Task<IDirectorySource> CreateFailingSourceAsync();

    /// <summary>How a report names <see cref="ContractDirectory.UserWithoutEmail"/> (its DN, its id, …).</summary>
    protected abstract string UserWithoutEmailEntry { get; }

    /// <summary>Adds the user <see cref="ContractDirectory.AddedEmail"/> to the directory (and to no group).</summary>
    protected abstract Task AddUserAsync();

    /// <summary>Removes (deletes, deprovisions) user 0 from the directory.</summary>
    protected abstract Task RemoveFirstUserAsync();

    /// <summary>Pages of users the last read fetched, when the stand-in can tell; null otherwise (the page size then
    /// guarantees at least three).</summary>
    protected virtual int? UserPagesInLastRead => null;

    /// <summary>A source whose read stalls after serving its first page until the read is cancelled, with a task that
    /// completes when that first page was served; null when the directory cannot stall mid-read (the test then
    /// cancels before the read).</summary>
    protected virtual Task<(IDirectorySource Source, Task FirstPageServed)?> CreateStallingSourceAsync()
        => Task.FromResult<(IDirectorySource, Task)?>(null);

    private static Task<DirectorySnapshot> ReadAsync(IDirectorySource source, string? cursor = null, CancellationToken cancellationToken = default)
        => source.ReadAsync(Everything with { Cursor = cursor }, cancellationToken);

    private static IEnumerable<string> Emails(DirectorySnapshot snapshot) =>
        snapshot.Users.Where(u => !u.Deleted && u.Email is not null).Select(u => u.Email!.Trim().ToLowerInvariant());

    private static ImportPlan Plan(DirectorySnapshot snapshot) => ImportPlanner.Plan(snapshot, new SyncOptionsSpec(), "contract");

    [Fact]
    public async Task Contract_reads_every_user_and_group_across_pages()
    {
        var snapshot = await ReadAsync(await CreateSourceAsync());

        Emails(snapshot).Should().BeEquivalentTo(ContractDirectory.Emails);
        var plan = Plan(snapshot);
        plan.Groups.Select(g => g.Name).Should().BeEquivalentTo([ContractDirectory.AllGroup, ContractDirectory.OuterGroup, ContractDirectory.InnerGroup]);
        plan.Groups.Single(g => g.Name == ContractDirectory.AllGroup).MemberExternalIds.Should().HaveCount(ContractDirectory.UserCount);
        plan.Groups.Single(g => g.Name == ContractDirectory.OuterGroup).MemberExternalIds
            .Should().HaveCount(ContractDirectory.InnerGroupSize, "nested groups are flattened into their parents");
        if (UserPagesInLastRead is { } pages)
        {
            pages.Should().BeGreaterThanOrEqualTo(3);
        }
    }

    [Fact]
    public async Task Contract_reports_every_entry_it_leaves_out()
    {
        var plan = Plan(await ReadAsync(await CreateSourceAsync()));

        plan.Members.Should().HaveCount(ContractDirectory.UserCount);
        plan.Skipped.Should().Contain(s => s.Entry == UserWithoutEmailEntry && s.Kind == SkippedEntryKind.User);
    }

    [Fact]
    public async Task Contract_results_are_deterministic()
    {
        var source = await CreateSourceAsync();
        var first = await ReadAsync(source);
        var second = await ReadAsync(await CreateSourceAsync());

        JsonSerializer.Serialize(second.Users).Should().Be(JsonSerializer.Serialize(first.Users));
        JsonSerializer.Serialize(second.Groups).Should().Be(JsonSerializer.Serialize(first.Groups));
        Plan(second).MembersHash.Should().Be(Plan(first).MembersHash);
    }

    [Fact]
    public async Task Contract_a_failure_never_looks_like_an_empty_directory()
    {
        var read = async () => await ReadAsync(await CreateFailingSourceAsync());

        var failure = (await read.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().BeOneOf(SyncFailureReason.SourceAuthFailed, SyncFailureReason.SourceUnavailable, SyncFailureReason.SecretNotFound);
    }

    [Fact]
    public async Task Contract_cancellation_is_honoured()
    {
        using var cancellation = new CancellationTokenSource();
        if (await CreateStallingSourceAsync() is var (source, firstPageServed))
        {
            var read = ReadAsync(source, cancellationToken: cancellation.Token);
            await firstPageServed.WaitAsync(TimeSpan.FromSeconds(30));
            read.IsCompleted.Should().BeFalse("the directory stalls after the first page");
            await cancellation.CancelAsync();
            // The bound only keeps a broken source from hanging the suite; the assertion is the exception.
            var cancelled = async () => await read.WaitAsync(TimeSpan.FromSeconds(30));
            await cancelled.Should().ThrowAsync<OperationCanceledException>();
        }
        else
        {
            await cancellation.CancelAsync();
            var cancelled = async () => await ReadAsync(await CreateSourceAsync(), cancellationToken: cancellation.Token);
            await cancelled.Should().ThrowAsync<OperationCanceledException>();
        }
    }

    [Fact]
    public async Task Contract_a_cursor_never_hides_a_change()
    {
        var source = await CreateSourceAsync();
        var first = await ReadAsync(source);
        first.Cursor?.Length.Should().BeLessThanOrEqualTo(DirectorySnapshot.MaxCursorLength);
        first.Unchanged.Should().BeFalse("a read without a cursor is a full read");

        if (first.Cursor is { } cursor)
        {
            var again = await ReadAsync(source, cursor);
            if (!again.Unchanged)
            {
                Emails(again).Should().BeEquivalentTo(Emails(first), "a source that cannot prove nothing changed reads in full");
            }

            await AddUserAsync();
            var afterAdd = await ReadAsync(source, cursor);
            afterAdd.Unchanged.Should().BeFalse("a user was added after the cursor was issued");
            Emails(afterAdd).Should().Contain(ContractDirectory.AddedEmail).And.HaveCount(ContractDirectory.UserCount + 1);

            await RemoveFirstUserAsync();
            var afterRemove = await ReadAsync(source, afterAdd.Cursor ?? cursor);
            afterRemove.Unchanged.Should().BeFalse("a user was removed after the cursor was issued");
            Emails(afterRemove).Should().NotContain(ContractDirectory.Email(0)).And.HaveCount(ContractDirectory.UserCount);
        }

        var foreign = await ReadAsync(source, "not-a-cursor-this-source-wrote");
        foreign.Unchanged.Should().BeFalse("an unknown cursor proves nothing");
        foreign.Users.Should().NotBeEmpty("an unusable cursor means a full read");
        if (first.Cursor is not null)
        {
            foreign.FullReadReason.Should().NotBeNullOrWhiteSpace("a source says why it read in full");
        }
    }
}
