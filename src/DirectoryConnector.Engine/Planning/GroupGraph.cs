using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// The group membership graph in compact form: one node per distinct group ReferenceId (numbered in ordinal
/// ReferenceId order), edges to child groups and to directly listed members as flat index arrays.
/// </summary>
internal sealed class GroupGraph
{
    private readonly int[] childOffsets;
    private readonly int[] childTargets;
    private readonly int[] memberOffsets;
    private readonly int[] memberTargets;

    private GroupGraph(int count, int[] childOffsets, int[] childTargets, int[] memberOffsets, int[] memberTargets)
    {
        Count = count;
        Names = new string?[count];
        ExternalIds = new string[count];
        DisplayNames = new string[count];
        Selected = new bool[count];
        Inconsistent = new bool[count];
        IncompleteReasons = new string?[count];
        this.childOffsets = childOffsets;
        this.childTargets = childTargets;
        this.memberOffsets = memberOffsets;
        this.memberTargets = memberTargets;
    }

    public int Count { get; }

    public string?[] Names { get; }

    public string[] ExternalIds { get; }

    public string[] DisplayNames { get; }

    /// <summary>At least one entry of the group is selected by the group filter and path.</summary>
    public bool[] Selected { get; }

    /// <summary>The same ReferenceId came with different names or external ids: which one is right is unknown.</summary>
    public bool[] Inconsistent { get; }

    /// <summary>Why the source knows the group's member list is incomplete (<see cref="DirectoryGroup.IncompleteReason"/>).</summary>
    public string?[] IncompleteReasons { get; }

    /// <summary>Member references that name no user and no group, with the node that lists them.</summary>
    public List<(string Reference, int Node)> UnknownReferences { get; } = [];

    public ReadOnlySpan<int> Children(int node) => childTargets.AsSpan(childOffsets[node], childOffsets[node + 1] - childOffsets[node]);

    /// <summary>Listed-member indices (see <see cref="UserReferenceIndex"/>) of the users the group lists directly.</summary>
    public ReadOnlySpan<int> DirectMembers(int node) => memberTargets.AsSpan(memberOffsets[node], memberOffsets[node + 1] - memberOffsets[node]);

    public static GroupGraph Build(IReadOnlyList<DirectoryGroup> groups, UserReferenceIndex users)
    {
        var sorted = groups.ToArray();
        Array.Sort(sorted, CompareEntries);

        // Runs of one ReferenceId are one node; a group read twice (e.g. from two paths) is one group.
        var runStarts = new List<int>(sorted.Length + 1);
        var nodeOf = new Dictionary<string, int>(sorted.Length, StringComparer.Ordinal);
        for (var i = 0; i < sorted.Length; i++)
        {
            if (i == 0 || !string.Equals(sorted[i].ReferenceId, sorted[i - 1].ReferenceId, StringComparison.Ordinal))
            {
                nodeOf[sorted[i].ReferenceId] = runStarts.Count;
                runStarts.Add(i);
            }
        }

        var count = runStarts.Count;
        runStarts.Add(sorted.Length);

        var childOffsets = new int[count + 1];
        var memberOffsets = new int[count + 1];
        var children = new List<int>();
        var members = new List<int>();
        var unknown = new List<(string, int)>();
        for (var node = 0; node < count; node++)
        {
            childOffsets[node] = children.Count;
            memberOffsets[node] = members.Count;
            for (var i = runStarts[node]; i < runStarts[node + 1]; i++)
            {
                foreach (var reference in sorted[i].MemberReferences)
                {
                    var isGroup = nodeOf.TryGetValue(reference, out var child);
                    if (isGroup)
                    {
                        children.Add(child);
                    }

                    if (!users.Resolve(reference, members) && !isGroup)
                    {
                        unknown.Add((reference, node));
                    }
                }
            }
        }

        childOffsets[count] = children.Count;
        memberOffsets[count] = members.Count;

        var graph = new GroupGraph(count, childOffsets, [.. children], memberOffsets, [.. members]);
        graph.UnknownReferences.AddRange(unknown);
        for (var node = 0; node < count; node++)
        {
            var first = sorted[runStarts[node]];
            graph.Names[node] = first.Name;
            graph.ExternalIds[node] = first.ExternalId;
            graph.DisplayNames[node] = first.DisplayName;
            for (var i = runStarts[node]; i < runStarts[node + 1]; i++)
            {
                graph.Selected[node] |= sorted[i].Selected;
                graph.IncompleteReasons[node] ??= sorted[i].IncompleteReason;
                graph.Inconsistent[node] |= !string.Equals(sorted[i].Name, first.Name, StringComparison.Ordinal)
                    || !string.Equals(sorted[i].ExternalId, first.ExternalId, StringComparison.Ordinal);
            }
        }

        return graph;
    }

    private static int CompareEntries(DirectoryGroup x, DirectoryGroup y)
    {
        var order = string.CompareOrdinal(x.ReferenceId, y.ReferenceId);
        if (order == 0)
        {
            order = string.CompareOrdinal(x.ExternalId, y.ExternalId);
        }

        if (order == 0)
        {
            order = string.CompareOrdinal(x.Name, y.Name);
        }

        return order == 0 ? string.CompareOrdinal(x.DisplayName, y.DisplayName) : order;
    }
}
