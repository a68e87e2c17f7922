using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.BadInput;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>
/// Issue 15's bad-input catalog (<see cref="BadInputCatalog"/>): its Manifest cases run through `directory-connector
/// test -f` as a user would: each is exit 2 with a line naming the field (or Secret) and what to do, and nothing is sent
/// anywhere (the source is never reached: its host does not exist). README's troubleshooting table is generated from
/// the whole catalog; a test here keeps the two equal.
/// </summary>
public sealed class BadInputCatalogTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dc-bad-input-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string> CaseNames() => [.. BadInputCatalog.Of(BadInputLayer.Manifest).Select(c => c.Input)];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task EachCaseIsBadInputNamingTheFieldAndNeverEchoingASecret(string input)
    {
        var @case = BadInputCatalog.Get(BadInputLayer.Manifest, input);
        var manifest = Path.Combine(_folder, "corp.yaml");
        var text = BadInputCatalog.Manifest(@case);
        await File.WriteAllBytesAsync(manifest, @case.Bytes?.Invoke(text) ?? System.Text.Encoding.UTF8.GetBytes(text));

        var result = await CliRunner.RunAsync("test", "-f", manifest);

        result.ExitCode.Should().Be(2, result.ToString());
        @case.IsIn(result.Error).Should().BeTrue($"stderr has \"{@case.Message}\":\n{result}");
        (result.Error + result.Output).Should().NotContain("SENTINEL");
        result.Output.Should().BeEmpty("nothing was planned, let alone sent");
    }

    [Fact]
    public void TheCatalogHasAtLeastFortyCasesAcrossTheLayersWithoutDuplicates()
    {
        BadInputCatalog.Cases.Select(c => (c.Layer, c.Input)).Should().OnlyHaveUniqueItems();
        BadInputCatalog.Cases.Should().HaveCountGreaterThanOrEqualTo(40);
        foreach (var layer in Enum.GetValues<BadInputLayer>())
        {
            BadInputCatalog.Of(layer).Should().NotBeEmpty($"{layer} has cases");
        }

        BadInputCatalog.Cases.Should().OnlyContain(c => !string.IsNullOrWhiteSpace(c.Message) && !string.IsNullOrWhiteSpace(c.Fix));
    }

    [Fact]
    public void ReadmeTroubleshootingTableMatchesTheCatalog()
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf(BadInputCatalog.ReadmeBegin, StringComparison.Ordinal);
        var end = readme.IndexOf(BadInputCatalog.ReadmeEnd, StringComparison.Ordinal);
        (start >= 0 && end > start).Should().BeTrue($"README.md has the table between {BadInputCatalog.ReadmeBegin.Trim()} and {BadInputCatalog.ReadmeEnd}");

        var generated = Path.Combine(AppContext.BaseDirectory, "bad-input-table.md");
        File.WriteAllText(generated, BadInputCatalog.ReadmeTable());
        readme[(start + BadInputCatalog.ReadmeBegin.Length)..end].Should().Be(BadInputCatalog.ReadmeTable(),
            $"README's table is generated from the catalog: paste {generated} between the markers");
    }
}
