using DirectoryConnector.Engine.Sources.EntraId;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.EntraId;

/// <summary>The cursor text a state file or a DirectorySync status holds: a cursor written by an earlier version must
/// still be read, so its bytes (names, escapes, a null groups link) may not change with the serializer's metadata.</summary>
public sealed class EntraIdCursorTests
{
    private const string Users = "https://graph.microsoft.com/v1.0/users/delta?$deltatoken=a+b/c&$skip='é'<x>";

    [Fact]
    public void A_cursor_is_written_as_it_always_was()
    {
        new EntraIdCursor(Users, null).ToString().Should().Be(WithoutGroups);
        new EntraIdCursor(Users, "https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=g").ToString().Should().Be(WithGroups);
    }

    [Fact]
    public void A_written_cursor_reads_back()
    {
        EntraIdCursor.Parse(WithoutGroups).Should().Be(new EntraIdCursor(Users, null));
        EntraIdCursor.Parse(WithGroups).Should().Be(new EntraIdCursor(Users, "https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=g"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("ldap.v1:cookie")]
    [InlineData("entraId.v1:not json")]
    [InlineData("entraId.v1:{\"users\":\"\"}")]
    [InlineData("entraId.v1:{\"Users\":\"https://graph/delta\"}")]
    public void Text_that_is_no_cursor_of_this_version_is_none(string? text) => EntraIdCursor.Parse(text).Should().BeNull();

    private const string WithoutGroups = """entraId.v1:{"users":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=a\u002Bb/c\u0026$skip=\u0027\u00E9\u0027\u003Cx\u003E","groups":null}""";

    private const string WithGroups = """entraId.v1:{"users":"https://graph.microsoft.com/v1.0/users/delta?$deltatoken=a\u002Bb/c\u0026$skip=\u0027\u00E9\u0027\u003Cx\u003E","groups":"https://graph.microsoft.com/v1.0/groups/delta?$deltatoken=g"}""";
}
