using System.Text.Json.Nodes;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>Renders charts/directory-connector-operator with the real helm.</summary>
internal static class HelmChart
{
    public const string AllFeatures = "ci/all-features-values.yaml";

    public static async Task<ToolResult> RunAsync(params string[] args)
        => await ExternalTool.RunAsync(ExternalTool.Require("helm"), args, ExternalTool.ChartDirectory);

    /// <summary>`helm template` in namespace directory-connector; fails the test when helm fails.</summary>
    public static async Task<IReadOnlyList<JsonObject>> TemplateAsync(params string[] args)
    {
        var result = await RunAsync(["template", "dco", ".", "--namespace", "directory-connector", .. args]);
        result.ExitCode.Should().Be(0, result.ToString());
        return YamlJson.ReadDocuments(result.Output);
    }

    public static JsonObject Single(IEnumerable<JsonObject> objects, string kind)
        => objects.Should().ContainSingle(o => (string?)o["kind"] == kind, kind).Which;

    public static IEnumerable<JsonObject> OfKind(IEnumerable<JsonObject> objects, string kind)
        => objects.Where(o => (string?)o["kind"] == kind);

    public static List<string> Args(IEnumerable<JsonObject> objects)
        => [.. Single(objects, "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!["args"]!.AsArray().Select(a => (string)a!)];
}
