using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Cli.Tests.Manifests;

/// <summary>
/// config/samples has a DirectorySync for every source the engine registers (issue 12: "one manifest per source as
/// sources land"), each read as strictly as `test` reads it and valid. That they pass the CRD's schema at
/// `kubectl apply` is KubectlTests' (DirectoryConnector.Operator.Tests).
/// </summary>
public sealed class SampleManifestsTests
{
    private static readonly string Samples = Path.Combine(Repository.Root, "config", "samples");

    [Fact]
    public async Task EverySourceHasASampleThatReadsAndValidates()
    {
        var files = Directory.GetFiles(Samples, "*.yaml").Order(StringComparer.Ordinal).ToList();

        var set = await ManifestReader.ReadFilesAsync(files, EngineServices.Providers, CancellationToken.None);

        var kinds = set.DirectorySyncs.Select(d => EngineServices.Providers.For(d.Spec.Source)?.Kind).ToList();
        kinds.Should().Contain(EngineServices.Providers.All.Select(p => p.Kind), "each source has a sample in config/samples");
        foreach (var directorySync in set.DirectorySyncs)
        {
            EngineServices.Validator.Validate(directorySync.Spec).Should().BeEmpty($"sample {directorySync.Name} is valid");
        }
    }
}
