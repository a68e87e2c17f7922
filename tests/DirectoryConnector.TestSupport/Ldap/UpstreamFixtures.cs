using Xunit;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// Upstream's OpenLDAP fixtures (GPL-3.0), read at test time from ../shared/fixtures/bwdc-openldap relative to the
/// repository root and never copied into the repository.
/// </summary>
public static class UpstreamFixtures
{
    private static readonly Lazy<string?> RepositoryRoot = new(() =>
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (System.IO.File.Exists(Path.Combine(directory.FullName, "DirectoryConnectorOperator.sln")))
            {
                return directory.FullName;
            }
        }

        return null;
    });

    public static string Directory => Path.GetFullPath(Path.Combine(
        RepositoryRoot.Value ?? throw new InvalidOperationException("DirectoryConnectorOperator.sln not found above the test binaries"),
        "..", "shared", "fixtures", "bwdc-openldap"));

    /// <summary>Why conformance tests skip: only when ../shared is absent and CI is unset. In CI a missing
    /// fixture fails the test instead (<see cref="File"/> throws).</summary>
    public static string? SkipReason
    {
        get
        {
            var shared = RepositoryRoot.Value is null ? null : Path.GetFullPath(Path.Combine(RepositoryRoot.Value, "..", "shared"));
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
