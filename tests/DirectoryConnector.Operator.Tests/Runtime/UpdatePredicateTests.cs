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

    [Fact]
    public void TheCachedCopyKeepsWhatTheWatchHandlersReadAndDropsTheStatus()
    {
        var watched = Sync(generation: 3, label: "a", annotation: "t1", status: "abc");
        watched.Metadata.ManagedFields = [new V1ManagedFieldsEntry { Manager = "directory-connector-operator", Operation = "Update", Subresource = "status" }];
        watched.Spec.Interval = "15m";

        var cached = ControllerManager.WithoutStatus(watched);

        cached.Status.Should().BeNull("the reconciler reads each DirectorySync fresh; 500 cached statuses are megabytes");
        cached.Metadata.ManagedFields.Should().BeNull();
        cached.Spec.Interval.Should().Be("15m");
        cached.Metadata.Generation.Should().Be(3);
        ControllerManager.ShouldEnqueueUpdate(cached, ControllerManager.WithoutStatus(Sync(generation: 3, label: "a", annotation: "t2", status: "abc"))).Should().BeTrue();
        ControllerManager.ShouldEnqueueUpdate(cached, ControllerManager.WithoutStatus(Sync(generation: 3, label: "a", annotation: "t1", status: "def"))).Should().BeFalse();
    }
}
