using Xunit;

namespace DirectoryConnector.TestSupport.Tools;

/// <summary>A theory needing real tools, skipped or failing as <see cref="ToolFactAttribute"/> is.</summary>
public sealed class ToolTheoryAttribute : TheoryAttribute
{
    public ToolTheoryAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ExternalTool.Find(t) is null).ToList();
        if (missing.Count > 0 && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"not installed: {string.Join(", ", missing)}; bash tests/run.sh installs them (in CI this test fails instead).";
        }
    }
}
