// Test names are sentences.

using System.Text;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>
/// The ldap source's live range retrieval at the edges no test server produces on demand: Samba answers every request
/// whose end reaches the last value with a final `-*` range, so an empty final range or a start past the end only
/// happen when members are removed during the read. <see cref="Directory"/> answers as Samba's ranged_results module
/// does (the end clipped to the last value, no values when the start lies beyond it); the whole path against Samba is
/// ActiveDirectorySambaTests.A_group_with_more_than_1500_members_is_read_completely.
/// </summary>
public sealed class LdapMemberRangeTests
{
    private const string Mismatch = "answered range {0} when {1} was asked";

    /// <summary>A group's member values as Samba serves ranges of them; <see cref="Shrink"/> removes values between requests.</summary>
    private sealed class Directory(int count, int serverWindow)
    {
        public List<string> Requests { get; } = [];

        public int Count { get; private set; } = count;

        public void Shrink(int to) => Count = to;

        public (string Name, IReadOnlyList<byte[]> Values)? Fetch(string requested)
        {
            Requests.Add(requested);
            var bounds = requested["member;range=".Length..].Split('-');
            var start = int.Parse(bounds[0], System.Globalization.CultureInfo.InvariantCulture);
            var end = bounds[1] == "*" ? int.MaxValue : int.Parse(bounds[1], System.Globalization.CultureInfo.InvariantCulture);
            end = Math.Min(end, start + serverWindow - 1);
            if (Count == 0)
            {
                return null; // the attribute is gone: no ranged name comes back
            }

            var final = end >= Count - 1;
            end = Math.Min(end, Count - 1);
            var values = start > end ? [] : Enumerable.Range(start, end - start + 1).Select(Value).ToList();
            return ($"member;range={start}-{(final ? "*" : end.ToString(System.Globalization.CultureInfo.InvariantCulture))}", values);
        }

        public static byte[] Value(int i) => Encoding.UTF8.GetBytes($"CN=User {i}");
    }

    private static List<byte[]> First(int count) => [.. Enumerable.Range(0, count).Select(Directory.Value)];

    private static string[] Texts(List<byte[]> values) => [.. values.Select(Encoding.UTF8.GetString)];

    [Fact]
    public void Ranges_are_followed_until_the_final_one_and_every_value_is_kept_in_order()
    {
        var directory = new Directory(count: 7, serverWindow: 3);
        var values = First(3);

        var chunks = LdapSource.FollowMemberRanges("member", "member;range=0-2", values, window: null, directory.Fetch, Mismatch);

        chunks.Should().Be(3);
        directory.Requests.Should().Equal("member;range=3-*", "member;range=6-*");
        Texts(values).Should().Equal(Enumerable.Range(0, 7).Select(i => $"CN=User {i}"));
    }

    [Fact]
    public void An_empty_final_range_ends_the_list_without_losing_or_inventing_a_value()
    {
        // The first window ended at the last value but was not marked final; the next request gets "6-*" with no values.
        var directory = new Directory(count: 6, serverWindow: 3);
        var values = First(6);

        var chunks = LdapSource.FollowMemberRanges("member", "member;range=3-5", values, window: null, directory.Fetch, Mismatch);

        chunks.Should().Be(2);
        directory.Requests.Should().Equal("member;range=6-*");
        values.Should().HaveCount(6);
    }

    [Fact]
    public void A_range_that_starts_past_the_end_after_members_were_removed_ends_the_list_with_what_was_read()
    {
        var directory = new Directory(count: 9, serverWindow: 3);
        var values = First(3);
        directory.Shrink(to: 2); // members removed between the first window and the next request

        var chunks = LdapSource.FollowMemberRanges("member", "member;range=0-2", values, window: 3, directory.Fetch, Mismatch);

        chunks.Should().Be(2);
        directory.Requests.Should().Equal("member;range=3-5");
        values.Should().HaveCount(3, "the answer is an empty final range: no value is invented");
    }

    [Fact]
    public void An_answer_without_the_attribute_ends_the_list()
    {
        var directory = new Directory(count: 6, serverWindow: 3);
        var values = First(3);
        directory.Shrink(to: 0);

        LdapSource.FollowMemberRanges("member", "member;range=0-2", values, window: null, directory.Fetch, Mismatch).Should().Be(1);
        values.Should().HaveCount(3);
    }

    [Fact]
    public void A_range_that_does_not_continue_the_previous_one_fails_instead_of_leaving_a_hole()
    {
        var values = First(3);

        var act = () => LdapSource.FollowMemberRanges("member", "member;range=0-2", values, window: null,
            requested => ("member;range=5-*", [Directory.Value(5)]), Mismatch);

        var failure = act.Should().Throw<SyncFailedException>().Which;
        failure.Message.Should().Be("answered range member;range=5-* when member;range=3-* was asked");
        failure.Retryable.Should().BeTrue();
    }
}
