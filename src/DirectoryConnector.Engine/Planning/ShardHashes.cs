namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// One digest per shard of the members (or groups) part: entries are bucketed by a hash of their external id into
/// <see cref="Count"/> shards, and a sync posts only the entries of shards whose digest differs from the last successful
/// post. Kept encoded (<see cref="Encode"/>: base64 of Count × 16 bytes, 5,464 characters per part) in status and the
/// CLI state file, whatever the directory's size. An all-zero digest means "not known to be posted": that shard is
/// always sent.
/// </summary>
public sealed class ShardHashes
{
    /// <summary>Shards per part: one changed entry re-sends about 1/256 of the directory (0.4%).</summary>
    public const int Count = 256;

    /// <summary>Bytes kept of each shard's SHA-256 (128 bits: collisions are not a practical concern).</summary>
    public const int DigestSize = 16;

    private readonly byte[] digests;

    internal ShardHashes(byte[] digests)
    {
        if (digests.Length != Count * DigestSize)
        {
            throw new ArgumentException($"{Count * DigestSize} bytes expected.", nameof(digests));
        }

        this.digests = digests;
    }

    /// <summary>The shard of an external id: FNV-1a (32 bit) over its UTF-16 code units, modulo <see cref="Count"/>.
    /// Stable across runs and versions (string.GetHashCode is randomized per process).</summary>
    public static int ShardOf(string externalId)
    {
        ArgumentNullException.ThrowIfNull(externalId);
        var hash = 2166136261u;
        foreach (var c in externalId)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % Count);
    }

    /// <summary>True when this shard's digest equals <paramref name="previous"/>'s and is known (not all zero).</summary>
    public bool Matches(ShardHashes? previous, int shard)
    {
        if (previous is null)
        {
            return false;
        }

        var mine = Digest(shard);
        return !IsUnknown(mine) && mine.SequenceEqual(previous.Digest(shard));
    }

    /// <summary>A copy where the shards <paramref name="keep"/> rejects are marked unknown, so the next sync sends them.</summary>
    public ShardHashes Keeping(Func<int, bool> keep)
    {
        ArgumentNullException.ThrowIfNull(keep);
        var copy = (byte[])digests.Clone();
        for (var shard = 0; shard < Count; shard++)
        {
            if (!keep(shard))
            {
                copy.AsSpan(shard * DigestSize, DigestSize).Clear();
            }
        }

        return new ShardHashes(copy);
    }

    public string Encode() => Convert.ToBase64String(digests);

    /// <summary>Null for null, and for a value of another size or not base64 (another version's or damaged): every
    /// shard then counts as changed, so the next sync posts everything once.</summary>
    public static ShardHashes? Decode(string? encoded)
    {
        if (encoded is null)
        {
            return null;
        }

        var bytes = new byte[Count * DigestSize];
        return Convert.TryFromBase64String(encoded, bytes, out var written) && written == bytes.Length ? new ShardHashes(bytes) : null;
    }

    private ReadOnlySpan<byte> Digest(int shard) => digests.AsSpan(shard * DigestSize, DigestSize);

    private static bool IsUnknown(ReadOnlySpan<byte> digest) => !digest.ContainsAnyExcept((byte)0);
}
