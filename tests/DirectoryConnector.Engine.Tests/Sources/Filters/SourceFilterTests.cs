using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Filters;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources.Filters;

public sealed class SourceFilterTests
{
    private static readonly SourceFilterSyntax Entra = new(["include", "exclude", "includeGroup", "excludeGroup"], AllowsQuery: false, ClauseKeywords: ["excludeGroup", "exclude"]);

    private static (SourceFilter? Filter, List<SpecError> Errors) Parse(string? text, SourceFilterSyntax? syntax = null)
    {
        var errors = new List<SpecError>();
        var filter = SourceFilter.Parse(text, SourceValidation.UsersFilterPath, syntax ?? SourceFilterSyntax.IncludeExcludeWithQuery, new SourceValidation(new FiltersSpec(), new SyncOptionsSpec(), errors));
        return (filter, errors);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_filter_keeps_everything(string? text)
    {
        var (filter, errors) = Parse(text);

        errors.Should().BeEmpty();
        filter!.IsEmpty.Should().BeTrue();
        filter.Keeps("anyone@example.com").Should().BeTrue();
    }

    [Fact]
    public void Include_keeps_only_the_listed_values_ignoring_case_and_spaces()
    {
        var (filter, errors) = Parse(" INCLUDE: Alice@Example.com , bob@example.com,, ");

        errors.Should().BeEmpty();
        filter!.Keyword.Should().Be("include");
        filter.Values.Should().Equal("Alice@Example.com", "bob@example.com");
        filter.Keeps("alice@example.com").Should().BeTrue();
        filter.Keeps("carol@example.com").Should().BeFalse();
        filter.Query.Should().BeNull();
    }

    [Fact]
    public void Exclude_with_a_query_keeps_the_query_as_written()
    {
        var (filter, errors) = Parse("exclude:joe@example.com | profile.department eq \"Engineering\"");

        errors.Should().BeEmpty();
        filter!.Keeps("joe@example.com").Should().BeFalse();
        filter.Keeps("ann@example.com").Should().BeTrue();
        filter.Query.Should().Be("profile.department eq \"Engineering\"");
    }

    [Fact]
    public void A_query_alone_follows_a_bar()
    {
        var (filter, errors) = Parse("| orgUnitPath=/Engineering");

        errors.Should().BeEmpty();
        filter!.Keyword.Should().BeNull();
        filter.Query.Should().Be("orgUnitPath=/Engineering");
    }

    [Theory]
    [InlineData("alice@example.com", "spec.filters.users: \"alice@example.com\" is not keyword:values")]
    [InlineData("includ:alice@example.com", "spec.filters.users: \"includ:\" is not a keyword here: use include:a,b or exclude:a,b")]
    [InlineData("include:", "spec.filters.users: \"include:\" lists no values")]
    [InlineData("include:a@b.c |", "ends with \"|\" but nothing follows it")]
    public void Malformed_filters_name_the_field_and_what_to_write(string text, string expected)
    {
        var (filter, errors) = Parse(text);

        filter.Should().BeNull();
        errors.Should().ContainSingle().Which.ToString().Should().Contain(expected);
    }

    [Fact]
    public void A_source_without_queries_refuses_one()
    {
        var (_, errors) = Parse("include:a@b.c | anything", SourceFilterSyntax.IncludeExclude);

        errors.Should().ContainSingle().Which.Message.Should().Contain("this source takes no query");
    }

    [Fact]
    public void Secondary_clauses_are_parsed_for_syntaxes_that_have_them()
    {
        var (filter, errors) = Parse("includeGroup:g1,g2|excludeGroup:g3|exclude:joe@example.com", Entra);

        errors.Should().BeEmpty();
        filter!.Keyword.Should().Be("includeGroup");
        filter.Clause("EXCLUDEGROUP")!.Values.Should().Equal("g3");
        filter.Clause("exclude")!.Contains("JOE@example.com").Should().BeTrue();
    }

    [Fact]
    public void A_secondary_clause_with_a_keyword_it_does_not_allow_is_refused()
    {
        var (_, errors) = Parse("includeGroup:g1|include:x@y.z", Entra);

        errors.Should().ContainSingle().Which.Message.Should().Contain("\"include:\" is not a keyword here: use excludeGroup:a,b or exclude:a,b");
    }

    [Theory]
    [InlineData("include:e\u0301quipe o\u0308st", true)]
    [InlineData("include:\u00C9QUIPE \u00D6ST", true)]
    [InlineData("include:E\u0301QUIPE  O\u0308ST ", true)]
    [InlineData("include:Equipe Ost", false)]
    [InlineData("exclude:e\u0301quipe o\u0308st", false)]
    public void Names_compare_as_the_directory_does_whatever_the_normalization_and_case(string text, bool keeps)
    {
        var (filter, errors) = Parse(text);

        errors.Should().BeEmpty();
        filter!.Keeps("\u00C9quipe \u00D6st").Should().Be(keeps);
    }

    [Fact]
    public void Values_that_differ_only_in_normalization_or_case_are_one_value()
    {
        var (filter, _) = Parse("include:\u00C9quipe,e\u0301quipe,\u00C9QUIPE");

        filter!.Values.Should().Equal("\u00C9quipe");
    }
}
