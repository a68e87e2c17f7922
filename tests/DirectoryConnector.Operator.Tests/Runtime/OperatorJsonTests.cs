using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using DirectoryConnector.Operator.Resources;
using DirectoryConnector.Operator.Runtime;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Runtime;

/// <summary>
/// The operator's kinds go through KubernetesJson with the compile-time contracts (Native AOT has no reflection
/// fallback), and the JSON is byte for byte what KubernetesJson's reflection fallback wrote before.
/// </summary>
public sealed class OperatorJsonTests
{
    // KubernetesJson's options as KubernetesClient sets them up, without our contracts: the reflection fallback.
    private static readonly JsonSerializerOptions Reflection = ReflectionOptions();

    [Fact]
    public void KubernetesJsonUsesTheCompileTimeContractsForOurKinds()
    {
        // The test assembly registers them at load, as OperatorHost.StartAsync does when the operator starts.
        Type[] kinds = [typeof(DirectorySync), typeof(DirectorySyncList), typeof(DirectorySyncStatus), typeof(PartialObjectMetadata),
            typeof(Watcher<DirectorySync>.WatchEvent), typeof(Watcher<PartialObjectMetadata>.WatchEvent),
            typeof(Watcher<KubernetesObject>.WatchEvent), typeof(Watcher<V1Status>.WatchEvent)];
        var resolvers = new List<IJsonTypeInfoResolver?>();
        KubernetesJson.AddJsonOptions(options => resolvers.AddRange(kinds.Select(kind => options.GetTypeInfo(kind).OriginatingResolver)));

        resolvers.Should().AllSatisfy(resolver => resolver.Should().BeSameAs(OperatorJsonContext.Default));
    }

    [Fact]
    public void RegisteringAgainAfterKubernetesJsonWasUsedChangesNothing()
    {
        _ = KubernetesJson.Serialize(new V1ObjectMeta { Name = "x" });

        var act = OperatorJson.Register;

        act.Should().NotThrow();
        var count = 0;
        KubernetesJson.AddJsonOptions(options => count = options.TypeInfoResolverChain.Count(r => ReferenceEquals(r, OperatorJsonContext.Default)));
        count.Should().Be(1);
    }

    [Fact]
    public void AStatusWithEveryFieldIsWrittenAndReadAsByTheReflectionFallback()
    {
        var status = (DirectorySyncStatus)Populated(typeof(DirectorySyncStatus));

        var written = KubernetesJson.Serialize(status);

        written.Should().Be(JsonSerializer.Serialize(status, Reflection));
        written.Should().Contain("\"lastChanges\":{").And.Contain("\"conditions\":[{");
        KubernetesJson.Serialize(KubernetesJson.Deserialize<DirectorySyncStatus>(written)).Should().Be(written);
    }

    [Fact]
    public void TheSampleResourcesListsAndWatchEventsReadAndWriteAsByTheReflectionFallback()
    {
        var samples = Directory.GetFiles(Path.Combine(Repository.Root, "config", "samples"), "*.yaml")
            .SelectMany(file => YamlJson.ReadDocuments(File.ReadAllText(file)))
            .Where(document => (string?)document["kind"] == DirectorySync.KindName)
            .Select(document => document.ToJsonString())
            .ToList();
        samples.Should().HaveCountGreaterThan(3);
        var list = new DirectorySyncList
        {
            Metadata = new V1ListMeta { ResourceVersion = "42", ContinueProperty = "next" },
            Items = [.. samples.Select(json => JsonSerializer.Deserialize<DirectorySync>(json, Reflection)!)],
        };
        list.Items[0].Status = (DirectorySyncStatus)Populated(typeof(DirectorySyncStatus));
        var listJson = JsonSerializer.Serialize(list, Reflection);

        foreach (var json in samples)
        {
            KubernetesJson.Serialize(KubernetesJson.Deserialize<DirectorySync>(json))
                .Should().Be(JsonSerializer.Serialize(JsonSerializer.Deserialize<DirectorySync>(json, Reflection), Reflection));
        }

        KubernetesJson.Serialize(KubernetesJson.Deserialize<DirectorySyncList>(listJson)).Should().Be(listJson);
        var watchLine = $$"""{"type":"MODIFIED","object":{{JsonSerializer.Serialize(list.Items[0], Reflection)}}}""";
        var watchEvent = KubernetesJson.Deserialize<Watcher<DirectorySync>.WatchEvent>(watchLine);
        watchEvent.Type.Should().Be(WatchEventType.Modified);
        KubernetesJson.Serialize(watchEvent.Object).Should().Be(JsonSerializer.Serialize(list.Items[0], Reflection));
        var metadataEvent = KubernetesJson.Deserialize<Watcher<PartialObjectMetadata>.WatchEvent>(
            """{"type":"BOOKMARK","object":{"kind":"PartialObjectMetadata","apiVersion":"meta.k8s.io/v1","metadata":{"resourceVersion":"7"}}}""");
        metadataEvent.Type.Should().Be(WatchEventType.Bookmark);
        metadataEvent.Object.Metadata.ResourceVersion.Should().Be("7");
    }

    private static JsonSerializerOptions ReflectionOptions()
    {
        var options = new JsonSerializerOptions
        {
            TypeInfoResolver = JsonTypeInfoResolver.Combine(SourceGenerationContext.Default, new DefaultJsonTypeInfoResolver()),
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new KubernetesJson.Iso8601TimeSpanConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeConverter());
        options.Converters.Add(new KubernetesJson.KubernetesDateTimeOffsetConverter());
        options.Converters.Add(new V1Status.V1StatusObjectViewConverter());
        return options;
    }

    // Every settable property set, recursively, so a property added later is covered too.
    private static object Populated(Type type)
    {
        var instance = Activator.CreateInstance(type)!;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            property.SetValue(instance, Value(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType, property.Name));
        }

        return instance;
    }

    private static object Value(Type type, string name) => type switch
    {
        _ when type == typeof(string) => $"{name} \"quoted\" <&> é",
        _ when type == typeof(int) => 7,
        _ when type == typeof(long) => 9_000_000_000L,
        _ when type == typeof(bool) => true,
        _ when type == typeof(DateTime) => new DateTime(2026, 12, 1, 11, 48, 9, DateTimeKind.Utc).AddTicks(1234567),
        _ when type == typeof(IList<string>) => new List<string> { "a", "b" },
        _ when type == typeof(IList<V1Condition>) => new List<V1Condition>
        {
            new()
            {
                LastTransitionTime = new DateTime(2026, 12, 1, 11, 48, 9, DateTimeKind.Utc),
                Message = "all good",
                Reason = "Succeeded",
                Status = "True",
                Type = "Ready",
                ObservedGeneration = 3,
            },
        },
        _ when type.IsClass => Populated(type),
        _ => throw new NotSupportedException($"The test cannot fill a {type}; add it to {nameof(Value)}."),
    };
}
