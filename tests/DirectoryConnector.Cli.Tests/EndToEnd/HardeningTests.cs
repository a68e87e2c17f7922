using System.Text;
using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Bitwarden;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>Issue 15's holes as the CLI meets them: a YAML alias bomb, oversized or absurdly nested manifests, YAML and
/// file errors that would quote a secret, and http:// to Bitwarden.</summary>
public sealed class HardeningTests : IDisposable
{
    private const string Sentinel = "SENTINEL-7f3a9c";
    private readonly string _folder = Directory.CreateTempSubdirectory("dc-harden-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    // Nine levels of nine aliases each: 9^9 (387 million) values once expanded, in 10 lines.
    private static string AliasBomb()
    {
        var yaml = new StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\ndata:\n  a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (var level = 1; level <= 9; level++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  a{level}: &a{level} [{string.Join(",", Enumerable.Repeat($"*a{level - 1}", 9))}]\n");
        }

        return yaml.ToString();
    }

    [Fact]
    public async Task AnAliasBombIsBadInputNamingTheFile()
    {
        var bomb = Write("bomb.yaml", AliasBomb());

        var result = await CliRunner.RunAsync("test", "-f", bomb);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: {bomb}: line ").And.Contain("expands to more than 100,000 values").And.Contain("alias");
        result.Output.Should().BeEmpty();
    }

    [Fact]
    public void TheAliasCheckAllocatesInProportionToTheTextNotToTheExpansion()
    {
        var yaml = AliasBomb();
        var before = GC.GetAllocatedBytesForCurrentThread();

        var read = () => ManifestReader.Read(yaml, "bomb.yaml", new ManifestSet(), EngineServices.Providers);

        read.Should().Throw<ManifestException>().Which.Problems.Should().ContainSingle().Which.Should().StartWith("bomb.yaml: line ");
        (GC.GetAllocatedBytesForCurrentThread() - before).Should().BeLessThan(8 * 1024 * 1024, "the bomb is refused before anything is expanded");
    }

    [Fact]
    public void AliasesWithinTheLimitStillWork()
    {
        var set = new ManifestSet();
        ManifestReader.Read("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: shared}
            data:
              first: &value "same text"
              second: *value
            """, "ok.yaml", set, EngineServices.Providers);

        set.ConfigMaps.Should().ContainSingle().Which.Values.Should().Equal(new Dictionary<string, string> { ["first"] = "same text", ["second"] = "same text" });
    }

    [Fact]
    public async Task AbsurdNestingIsBadInputNotAStackOverflow()
    {
        var deep = Write("deep.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: deep}\ndata: " + new string('[', 100_000) + new string(']', 100_000) + "\n");

        var result = await CliRunner.RunAsync("test", "-f", deep);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: {deep}: line 4: mappings and sequences nest more than 100 levels deep");
    }

    [Fact]
    public async Task AManifestLargerThanTheApiServerAcceptsIsBadInputNamingTheFile()
    {
        var large = Path.Combine(_folder, "large.yaml");
        await using (var stream = File.Create(large))
        {
            stream.SetLength(ManifestReader.MaxFileBytes + 1);
        }

        var result = await CliRunner.RunAsync("test", "-f", large);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain($"error: {large}: 3 MiB is larger than the 3 MiB a manifest may have");
    }

    public static TheoryData<string, string> BrokenYaml() => new()
    {
        // A Secret whose value line is broken: the error gives line and column, never the value.
        { $"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  client_secret: {Sentinel}: more\n", "line 5, column " },
        { $"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  client_secret: \"{Sentinel}\n", "line " },
        { $"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  client_secret: *{Sentinel}\n", "line 5" },
        { $"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\ndata:\n  client_secret: {Sentinel}!!\n", "data.client_secret: is not base64" },
        { $"apiVersion: v1\nkind: Secret\nmetadata: {{name: s}}\nstringData:\n  client_secret: {Sentinel}\n\t- tab\n", "line " },
    };

    [Theory]
    [MemberData(nameof(BrokenYaml))]
    public async Task AYamlErrorSaysWhereButNeverQuotesTheValue(string yaml, string expected)
    {
        var file = Write("secret.yaml", yaml);

        var result = await CliRunner.RunAsync("test", "-f", file);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain(file).And.Contain(expected);
        (result.Error + result.Output).Should().NotContain(Sentinel);
    }

    [Fact]
    public async Task AFileSourceThatIsNotAnExportIsBadInputWithoutQuotingIt()
    {
        Write("token", $"eyJhbGciOiJSUzI1NiJ9.{Sentinel}.c2lnbmF0dXJl");
        var manifest = Write("corp.yaml", """
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {name: corp}
            spec:
              bitwarden: {apiKeySecretRef: {name: bw}}
              source: {file: {path: token, format: ldif}}
            """);

        var result = await CliRunner.RunAsync("test", "-f", manifest);

        result.ExitCode.Should().Be(2, result.ToString());
        result.Error.Should().Contain("error: InvalidSpec: spec.source.file.path").And.Contain("line 1: expected 'attribute: value'");
        (result.Error + result.Output).Should().NotContain(Sentinel).And.NotContain("eyJhbGci");
    }

    [Fact]
    public async Task PlainHttpToBitwardenIsBadInputAndTheOptInIsAWarning()
    {
        await using var standIn = await BitwardenStandIn.StartAsync();
        File.WriteAllText(Path.Combine(_folder, "directory.ldif"), "dn: cn=Ann,dc=example,dc=com\nobjectClass: person\nmail: ann@example.com\n");
        string Manifest(string extra) => Write("http.yaml", $$$"""
            apiVersion: directoryconnector.dev/v1alpha1
            kind: DirectorySync
            metadata: {name: corp}
            spec:
              {{{extra}}}
              bitwarden: {serverUrl: "http://bitwarden.example.com", apiKeySecretRef: {name: bw}}
              source: {file: {path: directory.ldif}}
            """);

        var refused = await CliRunner.RunAsync("test", "-f", Manifest("dryRun: false"));
        refused.ExitCode.Should().Be(2, refused.ToString());
        refused.Error.Should().Contain("spec.bitwarden.serverUrl: \"http://bitwarden.example.com\" uses http://").And.Contain("spec.allowInsecureHttp: true");

        var allowed = await CliRunner.RunAsync("test", "-f", Manifest("allowInsecureHttp: true"));
        allowed.ExitCode.Should().Be(0, allowed.ToString());
        allowed.Error.Should().Contain("warning: ").And.Contain("spec.bitwarden.serverUrl: uses http:// to bitwarden.example.com (spec.allowInsecureHttp)");
        allowed.Output.Should().Contain("ann@example.com");
    }
}
