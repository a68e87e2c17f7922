using System.Diagnostics;
using System.Text.RegularExpressions;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;
using Xunit.Abstractions;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>
/// The real kubectl against the emulator: apply the CRD and the sample manifests, then `get dsync -A` prints the
/// issue's columns. kubectl comes from tests/tools/install-kube-tools.sh (.tools/bin/kubectl).
/// </summary>
public sealed partial class KubectlTests(ITestOutputHelper output)
{
    [KubectlFact]
    public async Task KubectlAppliesTheCrdAndSamplesAndGetPrintsTheIssueColumns()
    {
        // The namespaces the samples and the test's manifest live in, as `kubectl create namespace` would make them.
        var options = new KubeApiEmulatorOptions { Namespaces = { "bitwarden", "kubectl-test" } };
        await using var emulator = await KubeApiEmulator.StartAsync(options);
        using var kubectl = new Kubectl(emulator);

        (await kubectl.RunAsync("apply", "-f", RepositoryPaths.CommittedCrd)).Should()
            .Contain("customresourcedefinition.apiextensions.k8s.io/directorysyncs.directoryconnector.dev created");
        foreach (var sample in SampleManifests())
        {
            (await kubectl.RunAsync("apply", "-f", sample)).Should().Contain("created", sample);
        }

        (await kubectl.RunAsync("apply", "-f", TestSample)).Should().Contain("directorysync.directoryconnector.dev/corp-ad unchanged");

        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = emulator.BaseAddress.ToString() });
        // Between 10 and 180 minutes ago the server prints whole minutes, so the cell is stable for the test's duration.
        var lastSync = DateTime.UtcNow.AddMinutes(-20).AddSeconds(-30);
        var status = new
        {
            status = new DirectorySyncStatus
            {
                SourceType = "ldap",
                UserCount = 1204,
                GroupCount = 87,
                LastSyncTime = lastSync,
                Conditions = [new V1Condition { Type = "Ready", Status = "True", Reason = "Synced", Message = "Synced 1204 users and 87 groups", LastTransitionTime = lastSync }],
            },
        };
        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(
            new V1Patch(KubernetesJson.Serialize(status), V1Patch.PatchType.MergePatch),
            DirectorySync.Group, DirectorySync.Version, "kubectl-test", DirectorySync.Plural, "corp-ad");

        var table = Rows(await kubectl.RunAsync("get", "dsync", "-A"));
        table[0].Should().Equal("NAMESPACE", "NAME", "SOURCE", "INTERVAL", "READY", "STATUS", "USERS", "GROUPS", "LAST SYNC", "AGE");
        table.Should().ContainSingle(row => row[0] == "kubectl-test").Which.Take(9)
            .Should().Equal("kubectl-test", "corp-ad", "ldap", "15m", "True", "Synced", "1204", "87", "20m");

        Rows(await kubectl.RunAsync("get", "bitwarden", "-n", "kubectl-test")).Skip(1).Select(r => r[0])
            .Should().Equal(["corp-ad"], "the CRD's category groups DirectorySyncs under `bitwarden`");

        var synced = await client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(
            DirectorySync.Group, DirectorySync.Version, "kubectl-test", DirectorySync.Plural, "corp-ad");
        await client.CoreV1.CreateNamespacedEventAsync(new Corev1Event
        {
            Metadata = new V1ObjectMeta { GenerateName = "corp-ad." },
            InvolvedObject = new V1ObjectReference
            {
                ApiVersion = synced.ApiVersion, Kind = synced.Kind, Name = "corp-ad", NamespaceProperty = "kubectl-test", Uid = synced.Metadata.Uid,
            },
            Reason = "Synced",
            Type = "Normal",
            Message = "Synced 1204 users and 87 groups",
            Source = new V1EventSource { Component = "directory-connector" },
            FirstTimestamp = lastSync,
            LastTimestamp = lastSync,
            Count = 1,
        }, "kubectl-test");
        var described = await kubectl.RunAsync("describe", "dsync", "-n", "kubectl-test", "corp-ad");
        described.Should().Contain("Events:").And.MatchRegex(@"Normal\s+Synced\s+.*Synced 1204 users and 87 groups");

        (await kubectl.RunAsync("annotate", "dsync", "-n", "kubectl-test", "corp-ad", $"{DirectorySync.SyncRequestedAtAnnotation}=2026-11-22T10:00:00Z"))
            .Should().Contain("directorysync.directoryconnector.dev/corp-ad annotated");
        var annotated = await client.CustomObjects.GetNamespacedCustomObjectAsync<DirectorySync>(
            DirectorySync.Group, DirectorySync.Version, "kubectl-test", DirectorySync.Plural, "corp-ad");
        annotated.Metadata.Annotations.Should().Contain(DirectorySync.SyncRequestedAtAnnotation, "2026-11-22T10:00:00Z");
        annotated.Metadata.Generation.Should().Be(synced.Metadata.Generation, "an annotation is not a spec change");

        var explained = await kubectl.RunAsync("explain", "dsync.spec.source");
        explained.Should().Contain("The directory to read users and groups from. Set exactly one source.")
            .And.Contain("ldap\t<Object>").And.Contain("An LDAP directory or Active Directory.");

        output.WriteLine("Requests kubectl made:");
        foreach (var request in emulator.Requests.Distinct())
        {
            output.WriteLine(request);
        }
    }

    [KubectlFact]
    public async Task KubectlReportsSchemaViolationsWithTheFieldPath()
    {
        var options = new KubeApiEmulatorOptions { Namespaces = { "kubectl-test" } };
        options.CrdPaths.Add(RepositoryPaths.CommittedCrd);
        await using var emulator = await KubeApiEmulator.StartAsync(options);
        using var kubectl = new Kubectl(emulator);
        var manifest = await File.ReadAllTextAsync(TestSample);

        var tooOften = kubectl.WriteManifest("too-often.yaml", manifest.Replace("interval: 15m", "interval: 30s", StringComparison.Ordinal));
        // kubectl rewrites the Status message from its causes: The DirectorySync "corp-ad" is invalid: <field>: <detail>.
        (await kubectl.FailAsync("apply", "-f", tooOften)).Should().Contain(
            "The DirectorySync \"corp-ad\" is invalid: spec.interval: Invalid value: \"string\": interval must be at least 1m");

        var typo = kubectl.WriteManifest("typo.yaml", manifest.Replace("  interval: 15m", "  intervall: 15m", StringComparison.Ordinal));
        (await kubectl.FailAsync("apply", "-f", typo)).Should().Contain("unknown field \"spec.intervall\"");
    }

    [KubectlFact]
    public async Task KubectlRefusesACliOnlyFilePathNamingTheFieldAndWhatToDo()
    {
        var options = new KubeApiEmulatorOptions();
        options.CrdPaths.Add(RepositoryPaths.CommittedCrd);
        await using var emulator = await KubeApiEmulator.StartAsync(options);
        using var kubectl = new Kubectl(emulator);
        using var client = new Kubernetes(new KubernetesClientConfiguration { Host = emulator.BaseAddress.ToString() });
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "bitwarden" } });

        // The demo is a CLI manifest: a cluster must refuse its file path (issue 15: it read the operator's token).
        var demo = CliOnlySamples().Should().ContainSingle(path => path.EndsWith("demo.yaml", StringComparison.Ordinal)).Subject;
        var stderr = await kubectl.FailAsync("apply", "-f", demo);

        stderr.Should().Contain("The DirectorySync \"demo\" is invalid: spec.source.file: Invalid value: \"object\": path is for the directory-connector CLI only")
            .And.Contain("set configMapRef");
        (await kubectl.FailAsync("get", "dsync", "-n", "bitwarden", "demo")).Should().Contain("NotFound");
    }

    private static string TestSample => Path.Combine(RepositoryPaths.Root, "tests/DirectoryConnector.Operator.Tests/Emulator/kubectl-sample.yaml");

    // The project's cluster samples (when present) and this test's own sample; CLI-only samples (a file source's path,
    // which the CRD refuses) are applied by their own test.
    private static IEnumerable<string> SampleManifests()
        => AllSamples().Except(CliOnlySamples()).Append(TestSample);

    private static IEnumerable<string> CliOnlySamples()
        => AllSamples().Where(path => FilePathSource().IsMatch(File.ReadAllText(path)));

    private static IEnumerable<string> AllSamples()
    {
        var samples = Path.Combine(RepositoryPaths.Root, "config", "samples");
        return Directory.Exists(samples) ? Directory.GetFiles(samples, "*.yaml").Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
    }

    [GeneratedRegex(@"^\s+file:\s*\n\s+path:", RegexOptions.Multiline)]
    private static partial Regex FilePathSource();

    private static List<string[]> Rows(string table) =>
        [.. table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => ColumnGap().Split(line.Trim()))];

    [GeneratedRegex(@"\s{2,}")]
    private static partial Regex ColumnGap();
}

/// <summary>
/// A fact that needs .tools/bin/kubectl: skipped with instructions when it is missing outside CI, failing in CI.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class KubectlFactAttribute : FactAttribute
{
    public const string InstallScript = "tests/tools/install-kube-tools.sh";

    public static string KubectlPath { get; } = Path.Combine(RepositoryPaths.Root, ".tools", "bin", "kubectl");

    public KubectlFactAttribute()
    {
        if (!File.Exists(KubectlPath) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI")))
        {
            Skip = $"kubectl is not installed at {KubectlPath}; run {InstallScript} (CI is unset, so this test is skipped; in CI it fails).";
        }
    }
}
