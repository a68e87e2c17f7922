using Xunit;

namespace DirectoryConnector.TestSupport.Tools;

/// <summary>A fact needing real tools (see <see cref="ExternalTool"/>): skipped on a developer machine without them,
/// failing in CI (CI set), where tests/run.sh installs them.</summary>
public sealed class ToolFactAttribute : FactAttribute
{
    public ToolFactAttribute(params string[] tools)
    {
        var missing = tools.Where(t => ExternalTool.Find(t) is null).ToList();
        if (missing.Count > 0 && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"not installed: {string.Join(", ", missing)}; bash tests/run.sh installs them (in CI this test fails instead).";
        }
    }
}
