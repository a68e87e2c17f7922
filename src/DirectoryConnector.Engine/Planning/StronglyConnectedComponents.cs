namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Tarjan's strongly connected components of a <see cref="GroupGraph"/>, iterative so that deep nesting cannot
/// overflow the stack. Components are numbered in the order Tarjan completes them: every component a group can
/// reach has a lower number than the group's own (children first).
/// </summary>
internal sealed class StronglyConnectedComponents
{
    private readonly int[] nodeOffsets;
    private readonly int[] nodes;

    private StronglyConnectedComponents(int[] componentOf, int[] nodeOffsets, int[] nodes)
    {
        ComponentOf = componentOf;
        this.nodeOffsets = nodeOffsets;
        this.nodes = nodes;
    }

    public int[] ComponentOf { get; }

    public int Count => nodeOffsets.Length - 1;

    public ReadOnlySpan<int> Nodes(int component) => nodes.AsSpan(nodeOffsets[component], nodeOffsets[component + 1] - nodeOffsets[component]);

    public static StronglyConnectedComponents Find(GroupGraph graph)
    {
        var count = graph.Count;
        var index = new int[count];
        Array.Fill(index, -1);
        var lowLink = new int[count];
        var onStack = new bool[count];
        var stack = new int[count];
        var stackSize = 0;
        var callNode = new int[count];
        var callNextChild = new int[count];
        var componentOf = new int[count];
        var nodeOffsets = new List<int>(count + 1) { 0 };
        var ordered = new int[count];
        var orderedCount = 0;
        var nextIndex = 0;

        for (var root = 0; root < count; root++)
        {
            if (index[root] != -1)
            {
                continue;
            }

            var depth = 0;
            Visit(root);
            while (depth > 0)
            {
                var node = callNode[depth - 1];
                var children = graph.Children(node);
                if (callNextChild[depth - 1] < children.Length)
                {
                    var child = children[callNextChild[depth - 1]++];
                    if (index[child] == -1)
                    {
                        Visit(child);
                    }
                    else if (onStack[child])
                    {
                        lowLink[node] = Math.Min(lowLink[node], index[child]);
                    }

                    continue;
                }

                depth--;
                if (lowLink[node] == index[node])
                {
                    var component = nodeOffsets.Count - 1;
                    int member;
                    do
                    {
                        member = stack[--stackSize];
                        onStack[member] = false;
                        componentOf[member] = component;
                        ordered[orderedCount++] = member;
                    }
                    while (member != node);
                    nodeOffsets.Add(orderedCount);
                }

                if (depth > 0)
                {
                    var parent = callNode[depth - 1];
                    lowLink[parent] = Math.Min(lowLink[parent], lowLink[node]);
                }
            }

            void Visit(int node)
            {
                index[node] = lowLink[node] = nextIndex++;
                stack[stackSize++] = node;
                onStack[node] = true;
                callNode[depth] = node;
                callNextChild[depth] = 0;
                depth++;
            }
        }

        return new StronglyConnectedComponents(componentOf, [.. nodeOffsets], ordered);
    }
}
