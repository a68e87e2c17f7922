using Xunit;

namespace DirectoryConnector.Cli.Tests.EndToEnd;

/// <summary>A test on the upstream fixtures in ../shared (GPL-3.0, never copied into the repository). It is skipped
/// only on a developer machine without them; in CI (CI set) a missing folder makes the test fail instead.</summary>
public sealed class SharedFixturesFactAttribute : FactAttribute
{
    public SharedFixturesFactAttribute()
    {
        if (!Directory.Exists(SharedFixtures.Folder) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"Upstream fixtures not found at {SharedFixtures.Folder} and CI is not set: skipped on this machine only (CI fails instead).";
        }
    }
}

internal static class SharedFixtures
{
    public static string Folder => Path.GetFullPath(Path.Combine(CliRunner.RepositoryRoot(), "..", "shared", "fixtures", "bwdc-openldap"));
}
