using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>
/// The chart's Argo CD health script (files/argocd-health.lua) run by lua5.1 (the dialect of Argo CD's gopher-lua)
/// against the cases in tests/argocd/…/health_test.yaml, in Argo CD's own layout: exact status and message, as
/// argo-cd util/lua/health_test.go asserts. Only the base and table libraries are visible, as in Argo CD.
/// </summary>
public sealed class ArgoCdHealthTests
{
    private static readonly string CaseFolder = Path.Combine(Repository.Root, "tests", "argocd", "directoryconnector.dev", "DirectorySync");

    [ToolFact("lua5.1")]
    public async Task EveryCaseGetsItsHealthStatusAndMessage()
    {
        var cases = YamlJson.ReadDocuments(await File.ReadAllTextAsync(Path.Combine(CaseFolder, "health_test.yaml"))).Single()["tests"]!.AsArray();
        cases.Select(c => (string)c!["healthStatus"]!["status"]!).Distinct()
            .Should().BeEquivalentTo(["Healthy", "Progressing", "Degraded", "Suspended"], "every health status has a case");

        var failures = new List<string>();
        foreach (var test in cases)
        {
            var input = YamlJson.ReadDocuments(await File.ReadAllTextAsync(Path.Combine(CaseFolder, (string)test!["inputPath"]!))).Single();
            var (status, message) = await RunHealthAsync(input);
            var expected = ((string)test["healthStatus"]!["status"]!, (string)test["healthStatus"]!["message"]!);
            if ((status, message) != expected)
            {
                failures.Add($"{test["inputPath"]}: expected {expected}, got ({status}, {message})");
            }
        }

        failures.Should().BeEmpty();
    }

    [Fact]
    public void ArgoCdHealthScriptIsDocumentedUnderItsArgocdCmKey()
    {
        File.ReadAllText(Path.Combine(Repository.Root, "README.md")).Should().Contain("resource.customizations.health.directoryconnector.dev_DirectorySync");
    }

    private static async Task<(string Status, string Message)> RunHealthAsync(JsonObject resource)
    {
        var script = Path.Combine(ExternalTool.ChartDirectory, "files", "argocd-health.lua");
        var driver = new StringBuilder()
            .Append("local obj = ").Append(LuaLiteral(resource)).AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"local chunk = assert(loadfile({LuaString(script)}))")
            .AppendLine("setfenv(chunk, { obj = obj, ipairs = ipairs, pairs = pairs, type = type, tostring = tostring, tonumber = tonumber, table = table })")
            .AppendLine("local hs = chunk()")
            .AppendLine("io.write(hs.status, '\\n', hs.message or '')")
            .ToString();
        var result = await ExternalTool.RunAsync(ExternalTool.Require("lua5.1"), ["-"], standardInput: driver);
        result.ExitCode.Should().Be(0, result.ToString());
        var lines = result.Output.Split('\n', 2);
        return (lines[0], lines.ElementAtOrDefault(1) ?? "");
    }

    // JSON null becomes an absent key (nil), as the YAML-to-Lua conversion in Argo CD does.
    private static string LuaLiteral(JsonNode? node) => node switch
    {
        JsonObject o => "{" + string.Join(", ", o.Where(p => p.Value is not null).Select(p => $"[{LuaString(p.Key)}] = {LuaLiteral(p.Value)}")) + "}",
        JsonArray a => "{" + string.Join(", ", a.Select(LuaLiteral)) + "}",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => LuaString(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>() ? "true" : "false",
        JsonValue v => v.ToJsonString(),
        _ => "nil",
    };

    private static string LuaString(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";
}
