using System.Collections;
using System.Text.Json;

namespace DirectoryConnector.Cli.Output;

/// <summary>
/// A managed set of the state file (external ids, tens of thousands at 50,000 users) kept as the JSON array it was read
/// from until something reads it. A sync whose source cursor proves nothing changed never does, so it neither builds
/// the strings nor writes them one by one: <see cref="DeferredIdListConverter"/> writes the array back as read.
/// </summary>
internal sealed class DeferredIdList(JsonElement array) : IReadOnlyList<string>
{
    private string[]? ids;

    /// <summary>The JSON array as read, while no one has read the ids; null once they were.</summary>
    public JsonElement? Unread => ids is null ? array : null;

    // Strings only: DeferredIdListConverter checked every element when the file was read.
    private string[] Ids => ids ??= [.. array.EnumerateArray().Select(id => id.GetString()!)];

    public int Count => Ids.Length;

    public string this[int index] => Ids[index];

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)Ids).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
