using System.Collections;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// A group's flattened member external ids as a view over a shared sorted index array: groups in one nesting cycle,
/// and groups whose members equal a child's, share one array instead of each holding a copy of every id.
/// </summary>
internal sealed class MemberExternalIdList(int[] sortedListedIndices, string[] listedExternalIds) : IReadOnlyList<string>
{
    public int Count => sortedListedIndices.Length;

    public string this[int index] => listedExternalIds[sortedListedIndices[index]];

    public IEnumerator<string> GetEnumerator()
    {
        foreach (var listedIndex in sortedListedIndices)
        {
            yield return listedExternalIds[listedIndex];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
