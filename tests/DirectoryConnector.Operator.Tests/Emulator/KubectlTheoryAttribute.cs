namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>A theory that needs .tools/bin/kubectl: skipped with instructions when it is missing outside CI, failing in CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlTheoryAttribute : Xunit.TheoryAttribute
{
    public KubectlTheoryAttribute()
    {
        if (!File.Exists(KubectlFactAttribute.KubectlPath) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"kubectl is not installed at {KubectlFactAttribute.KubectlPath}; run {KubectlFactAttribute.InstallScript} (CI is unset, so this test is skipped; in CI it fails).";
        }
    }
}
