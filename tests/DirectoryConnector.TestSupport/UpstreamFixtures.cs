using Xunit;

namespace DirectoryConnector.TestSupport;

/// <summary>
/// Upstream's OpenLDAP fixtures (GPL-3.0), read at test time from ../shared/fixtures/bwdc-openldap relative to the
/// repository root and never copied into the repository.
/// </summary>
public static class UpstreamFixtures
{
    public static string Directory => Path.GetFullPath(Path.Combine(
        Repository.Root,
        "..", "shared", "fixtures", "bwdc-openldap"));

    /// <summary>Why conformance tests skip: only when ../shared is absent and CI is unset. In CI a missing
    /// fixture fails the test instead (<see cref="File"/> throws).</summary>
    public static string? SkipReason
    {
        get
        {
            var shared = Repository.RootOrNull is null ? null : Path.GetFullPath(Path.Combine(Repository.RootOrNull, "..", "shared"));
            var present = shared is not null && System.IO.Directory.Exists(shared);
            return present || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"))
                ? null
                : $"Upstream conformance fixtures are not here ({shared ?? "../shared"} is absent) and CI is unset; in CI this test fails instead of skipping.";
        }
    }

    public static string File(string name)
    {
        var path = Path.Combine(Directory, name);
        return System.IO.File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Upstream fixture {path} is missing: conformance cannot be checked. Provide ../shared/fixtures/bwdc-openldap next to the repository.", path);
    }
}

/// <summary>A fact that reads upstream fixtures: skipped only under the rule of <see cref="UpstreamFixtures.SkipReason"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class UpstreamConformanceFactAttribute : FactAttribute
{
    public UpstreamConformanceFactAttribute()
    {
        if (UpstreamFixtures.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}
