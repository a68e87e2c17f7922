// Test names are sentences.

using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Configuration;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Configuration;

/// <summary>System.Text.Json's own exceptions, as each place that reports one meets them: lines count from 1.</summary>
public class JsonErrorTextTests
{
    [Fact]
    public void A_syntax_error_on_the_third_line_is_reported_on_line_3_without_the_0_based_suffix()
    {
        var error = Catch(() => JsonNode.Parse("{\n  \"a\": 1,\n  oops\n}"));

        JsonErrorText.Position(error).Should().Be("line 3, column 3");
        JsonErrorText.Describe(error).Should().Be("'o' is an invalid start of a property name. Expected a '\"' at line 3, column 3");
    }

    [Fact]
    public void A_value_of_the_wrong_type_keeps_its_message_and_drops_the_path_and_0_based_position()
    {
        var error = Catch(() => JsonSerializer.Deserialize("[\"not-a-guid\"]", TestJsonContext.Default.ListGuid));

        JsonErrorText.Describe(error).Should().StartWith("The JSON value could not be converted to").And.EndWith(" at line 1, column 14")
            .And.NotContain("LineNumber").And.NotContain("Path:");
    }

    private static JsonException Catch(Action parse)
    {
        var act = parse;
        return act.Should().Throw<JsonException>().Which;
    }
}
