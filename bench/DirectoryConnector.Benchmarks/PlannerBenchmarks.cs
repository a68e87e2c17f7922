using BenchmarkDotNet.Attributes;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Benchmarks;

/// <summary>
/// The whole planner (normalize, validate, deduplicate, flatten, hash) on generated directories, next to the
/// per-group search with a fresh visited set that the original connector uses, for comparison.
/// Run: dotnet run -c Release --project bench/DirectoryConnector.Benchmarks -- --filter '*PlannerBenchmarks*' --job short
/// </summary>
[MemoryDiagnoser]
public class PlannerBenchmarks
{
    private DirectorySnapshot snapshot = null!;
    private readonly SyncOptionsSpec options = new();

    [Params(10_000, 100_000)]
    public int Users { get; set; }

    public int Groups => Users == 10_000 ? 2_000 : 10_000;

    [GlobalSetup]
    public void Setup()
    {
        snapshot = SyntheticDirectory.Generate(Users, Groups);
        var plan = ImportPlanner.Plan(snapshot, options, "scope");
        Console.WriteLine($"// {Users} users, {Groups} groups: {plan.Members.Count} members, {plan.Groups.Count} groups sent, "
            + $"{plan.Groups.Sum(g => (long)g.MemberExternalIds.Count)} flattened memberships, {plan.Skipped.Count} skipped");
    }

    [Benchmark(Baseline = true)]
    public ImportPlan Plan() => ImportPlanner.Plan(snapshot, options, "https://api.example.com|org");

    /// <summary>The original connector's approach: a fresh search and a set of strings per group.</summary>
    [Benchmark]
    public int PerGroupSearchFlattenOnly()
    {
        var users = snapshot.Users.ToDictionary(u => u.ReferenceId, u => u.ExternalId, StringComparer.Ordinal);
        var groups = snapshot.Groups.ToDictionary(g => g.ReferenceId, StringComparer.Ordinal);
        var total = 0;
        var results = new List<string[]>();
        foreach (var start in snapshot.Groups)
        {
            if (!start.Selected)
            {
                continue;
            }

            var visited = new HashSet<string>(StringComparer.Ordinal) { start.ReferenceId };
            var members = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<DirectoryGroup>([start]);
            while (pending.TryPop(out var group))
            {
                foreach (var reference in group.MemberReferences)
                {
                    if (users.TryGetValue(reference, out var externalId))
                    {
                        members.Add(externalId);
                    }
                    else if (groups.TryGetValue(reference, out var child) && visited.Add(reference))
                    {
                        pending.Push(child);
                    }
                }
            }

            var sorted = members.ToArray();
            Array.Sort(sorted, StringComparer.Ordinal);
            results.Add(sorted);
            total += sorted.Length;
        }

        return total + results.Count;
    }
}
