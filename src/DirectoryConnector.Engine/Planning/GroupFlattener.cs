using System.Globalization;
using DirectoryConnector.Engine.Sources;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Flattens nested groups: each sent group lists every active member reachable through any chain of group
/// membership. Nesting is resolved over the whole group graph, including groups that are not sent (filtered out,
/// or invalid), so a kept parent keeps the users it gets through them.
/// </summary>
/// <remarks>
/// Groups are numbered in ReferenceId order and users by their sorted external id, so the result never depends on
/// the order the source returned them in. Strongly connected components (Tarjan, iterative so deep nesting cannot
/// overflow the stack) all share one member set; sets are computed once per component, children first, over the
/// condensation, and only for components reachable from a sent group. A set equal to its largest child's is that
/// child's array, so a chain of single-child groups costs one array.
/// </remarks>
internal static class GroupFlattener
{
    public static (IReadOnlyList<PlannedGroup> Groups, IReadOnlyList<SkippedEntry> Skipped) Flatten(
        IReadOnlyList<DirectoryGroup> groups, MemberPlan members)
    {
        var skipped = new List<SkippedEntry>();
        var graph = GroupGraph.Build(groups, members.References);
        var components = StronglyConnectedComponents.Find(graph);
        var sent = LeaveOutIncomplete(SelectSentGroups(graph, skipped), graph, components, skipped);

        var needed = MarkComponentsReachableFrom(sent, graph, components);
        ReportUnknownReferences(graph, components, needed, skipped);
        var memberSets = ComputeMemberSets(graph, components, needed, members.ListedExternalIds.Length);

        var lists = new MemberExternalIdList?[components.Count];
        var planned = new List<PlannedGroup>(sent.Count);
        foreach (var node in sent)
        {
            var component = components.ComponentOf[node];
            var memberIds = lists[component] ??= new MemberExternalIdList(memberSets[component]!, members.ListedExternalIds);
            planned.Add(new PlannedGroup(graph.Names[node]!, graph.ExternalIds[node], memberIds, graph.DisplayNames[node]));
        }

        planned.Sort(static (x, y) => string.CompareOrdinal(x.ExternalId, y.ExternalId));
        return (planned, skipped);
    }

    /// <summary>Selected groups that the server would accept; reports the selected ones it would not.</summary>
    private static List<int> SelectSentGroups(GroupGraph graph, List<SkippedEntry> skipped)
    {
        var valid = new List<int>();
        for (var node = 0; node < graph.Count; node++)
        {
            if (!graph.Selected[node])
            {
                continue;
            }

            var problem = graph.Inconsistent[node]
                ? "is listed more than once under the same reference with different names or external ids"
                : EntryValidation.GroupNameProblem(graph.Names[node]) ?? EntryValidation.ExternalIdProblem(graph.ExternalIds[node]);
            if (problem is null)
            {
                valid.Add(node);
            }
            else
            {
                skipped.Add(new SkippedEntry(graph.DisplayNames[node], SkippedEntryKind.Group,
                    $"{problem}: it is not sent (groups that contain it still get its members)"));
            }
        }

        // Two groups with one external id make the server fail the whole import: send neither.
        valid.Sort((x, y) => string.CompareOrdinal(graph.ExternalIds[x], graph.ExternalIds[y]) is var c and not 0 ? c : x.CompareTo(y));
        var sent = new List<int>(valid.Count);
        for (var start = 0; start < valid.Count;)
        {
            var end = start + 1;
            while (end < valid.Count && string.Equals(graph.ExternalIds[valid[end]], graph.ExternalIds[valid[start]], StringComparison.Ordinal))
            {
                end++;
            }

            if (end - start == 1)
            {
                sent.Add(valid[start]);
            }
            else
            {
                var clashing = string.Join("; ", valid.GetRange(start, end - start).Select(n => graph.DisplayNames[n]));
                for (var i = start; i < end; i++)
                {
                    skipped.Add(new SkippedEntry(graph.DisplayNames[valid[i]], SkippedEntryKind.Group,
                        $"shares the external id {graph.ExternalIds[valid[i]]} with another group ({clashing}): none of them is sent, so Bitwarden leaves these groups as they are"));
                }
            }

            start = end;
        }

        return sent;
    }

    /// <summary>
    /// A group whose member list the source knows to be incomplete is not sent, nor is any group that reaches it
    /// through nesting: the import replaces a group's membership, so sending part of it removes the rest.
    /// </summary>
    private static List<int> LeaveOutIncomplete(List<int> sent, GroupGraph graph, StronglyConnectedComponents components, List<SkippedEntry> skipped)
    {
        // For each component, a node (its own or a descendant's) whose list is incomplete; children are numbered first.
        var incompleteVia = new int[components.Count];
        for (var component = 0; component < components.Count; component++)
        {
            incompleteVia[component] = -1;
            foreach (var node in components.Nodes(component))
            {
                if (graph.IncompleteReasons[node] is not null)
                {
                    incompleteVia[component] = node;
                    break;
                }
            }

            foreach (var node in components.Nodes(component))
            {
                foreach (var child in graph.Children(node))
                {
                    if (incompleteVia[component] < 0 && incompleteVia[components.ComponentOf[child]] is var via and >= 0)
                    {
                        incompleteVia[component] = via;
                    }
                }
            }
        }

        var complete = new List<int>(sent.Count);
        foreach (var node in sent)
        {
            var via = incompleteVia[components.ComponentOf[node]];
            if (via < 0)
            {
                complete.Add(node);
                continue;
            }

            skipped.Add(new SkippedEntry(graph.DisplayNames[node], SkippedEntryKind.Group, via == node
                ? $"{graph.IncompleteReasons[node]}: it is not sent, so Bitwarden keeps the group's current members"
                : $"gets members through {graph.DisplayNames[via]}, whose member list is incomplete ({graph.IncompleteReasons[via]}): it is not sent, so Bitwarden keeps the group's current members"));
        }

        return complete;
    }

    /// <summary>Components whose members some sent group needs: those reachable from a sent group.</summary>
    private static bool[] MarkComponentsReachableFrom(List<int> sent, GroupGraph graph, StronglyConnectedComponents components)
    {
        var needed = new bool[components.Count];
        foreach (var node in sent)
        {
            needed[components.ComponentOf[node]] = true;
        }

        // Components are numbered children first, so walking down from the highest number visits parents first.
        for (var component = components.Count - 1; component >= 0; component--)
        {
            if (!needed[component])
            {
                continue;
            }

            foreach (var node in components.Nodes(component))
            {
                foreach (var child in graph.Children(node))
                {
                    needed[components.ComponentOf[child]] = true;
                }
            }
        }

        return needed;
    }

    /// <summary>One report per distinct unknown reference that a sent group would have contained.</summary>
    private static void ReportUnknownReferences(GroupGraph graph, StronglyConnectedComponents components, bool[] needed, List<SkippedEntry> skipped)
    {
        var listedBy = new Dictionary<string, (string Group, int LastNode, int Count)>(StringComparer.Ordinal);
        foreach (var (reference, node) in graph.UnknownReferences)
        {
            if (!needed[components.ComponentOf[node]])
            {
                continue;
            }

            // References are recorded node by node, so a group listing one twice shows up as the same last node.
            var group = graph.DisplayNames[node];
            if (!listedBy.TryGetValue(reference, out var seen))
            {
                listedBy[reference] = (group, node, 1);
            }
            else if (seen.LastNode != node)
            {
                listedBy[reference] = (string.CompareOrdinal(seen.Group, group) <= 0 ? seen.Group : group, node, seen.Count + 1);
            }
        }

        foreach (var (reference, (group, _, count)) in listedBy)
        {
            var others = count > 1 ? string.Create(CultureInfo.InvariantCulture, $" and {count - 1} other group(s)") : "";
            skipped.Add(new SkippedEntry(reference, SkippedEntryKind.Member,
                $"is listed as a member of {group}{others} but matches no user or group that was read (outside the user or group path or filter, or not a user): it is not added to any group"));
        }
    }

    /// <summary>Sorted listed-member indices per needed component; components that share a set share the array.</summary>
    private static int[]?[] ComputeMemberSets(GroupGraph graph, StronglyConnectedComponents components, bool[] needed, int listedCount)
    {
        var sets = new int[]?[components.Count];
        var memberSeenBy = new int[listedCount];
        var childSeenBy = new int[components.Count];
        var buffer = new List<int>();

        for (var component = 0; component < components.Count; component++)
        {
            if (!needed[component])
            {
                continue;
            }

            var stamp = component + 1;
            buffer.Clear();
            int[]? largestChild = null;
            foreach (var node in components.Nodes(component))
            {
                foreach (var member in graph.DirectMembers(node))
                {
                    if (memberSeenBy[member] != stamp)
                    {
                        memberSeenBy[member] = stamp;
                        buffer.Add(member);
                    }
                }

                foreach (var child in graph.Children(node))
                {
                    var childComponent = components.ComponentOf[child];
                    if (childComponent == component || childSeenBy[childComponent] == stamp)
                    {
                        continue;
                    }

                    childSeenBy[childComponent] = stamp;
                    var childSet = sets[childComponent]!;
                    if (largestChild is null || childSet.Length > largestChild.Length)
                    {
                        largestChild = childSet;
                    }

                    foreach (var member in childSet)
                    {
                        if (memberSeenBy[member] != stamp)
                        {
                            memberSeenBy[member] = stamp;
                            buffer.Add(member);
                        }
                    }
                }
            }

            // The union contains every child set, so when it is no larger than one of them it is that set.
            if (largestChild is not null && largestChild.Length == buffer.Count)
            {
                sets[component] = largestChild;
            }
            else if (buffer.Count == 0)
            {
                sets[component] = [];
            }
            else
            {
                buffer.Sort();
                sets[component] = [.. buffer];
            }
        }

        return sets;
    }
}
