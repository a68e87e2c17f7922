using DirectoryConnector.Operator.Hosting;
using DirectoryConnector.Operator.Resources;
using FluentAssertions;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Runtime;

public sealed class UpdatePredicateTests
{
    private static DirectorySync Sync(long generation = 1, string? label = null, string? annotation = null, string? status = null) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = "corp",
            NamespaceProperty = "bitwarden",
            Generation = generation,
            Labels = label is null ? null : new Dictionary<string, string> { ["shard"] = label },
            Annotations = annotation is null ? null : new Dictionary<string, string> { [DirectorySync.SyncRequestedAtAnnotation] = annotation },
        },
        Status = status is null ? null : new DirectorySyncStatus { MembersHash = status },
    };

    [Fact]
    public void StatusOnlyUpdatesAreIgnored()
        => ControllerManager.ShouldEnqueueUpdate(Sync(), Sync(status: "abc")).Should().BeFalse();

    [Fact]
    public void GenerationLabelAndAnnotationChangesAreEnqueued()
    {
        ControllerManager.ShouldEnqueueUpdate(Sync(), Sync(generation: 2)).Should().BeTrue();
        ControllerManager.ShouldEnqueueUpdate(Sync(), Sync(label: "a")).Should().BeTrue();
        ControllerManager.ShouldEnqueueUpdate(Sync(label: "a"), Sync(label: "b")).Should().BeTrue();
        ControllerManager.ShouldEnqueueUpdate(Sync(annotation: "t1"), Sync(annotation: "t2")).Should().BeTrue();
        ControllerManager.ShouldEnqueueUpdate(Sync(annotation: "t1"), Sync()).Should().BeTrue();
    }
}
