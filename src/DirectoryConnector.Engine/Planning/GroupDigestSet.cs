using System.Buffers.Binary;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// The content digests of the groups last posted, one per group: the first <see cref="DigestSize"/> bytes of the
/// SHA-256 of the hash scope and the group's canonical JSON (name, external id, full member list), so a digest names
/// both the group and its content. Within a changed group shard, a group whose digest is in the set is unchanged and
/// is not sent again (groups absent from an import are left alone by the server when overwriteExisting is false,
/// bitwarden-api.md §1.6). Kept encoded (<see cref="Encode"/>: base64 of the sorted digests, 10.7 characters a group)
/// in status and the CLI state file.
/// </summary>
public sealed class GroupDigestSet
{
    /// <summary>Bytes kept of each group's SHA-256 (64 bits: a changed group matching one of 20,000 others by chance
    /// is a 1-in-10¹⁵ event).</summary>
    public const int DigestSize = 8;

    private readonly ulong[] sorted;

    private GroupDigestSet(ulong[] sorted) => this.sorted = sorted;

    public int Count => sorted.Length;

    public static GroupDigestSet Of(IEnumerable<ulong> digests)
    {
        ArgumentNullException.ThrowIfNull(digests);
        var array = digests.ToArray();
        Array.Sort(array);
        return new GroupDigestSet(array);
    }

    public bool Contains(ulong digest) => Array.BinarySearch(sorted, digest) >= 0;

    public string Encode()
    {
        var bytes = new byte[sorted.Length * DigestSize];
        for (var i = 0; i < sorted.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(i * DigestSize), sorted[i]);
        }

        return Convert.ToBase64String(bytes);
    }

    /// <summary>Null for null, and for a value that is not base64 of whole digests (damaged): every group of a changed
    /// shard is then sent, as before per-group digests existed.</summary>
    public static GroupDigestSet? Decode(string? encoded)
    {
        if (encoded is null)
        {
            return null;
        }

        var bytes = new byte[encoded.Length / 4 * 3 + 3];
        if (!Convert.TryFromBase64String(encoded, bytes, out var written) || written % DigestSize != 0)
        {
            return null;
        }

        var digests = new ulong[written / DigestSize];
        for (var i = 0; i < digests.Length; i++)
        {
            digests[i] = BinaryPrimitives.ReadUInt64BigEndian(bytes.AsSpan(i * DigestSize));
        }

        Array.Sort(digests);
        return new GroupDigestSet(digests);
    }
}
