using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// SHA-256 of what would be posted, as canonical JSON (camelCase, canonical order, no whitespace), prefixed by the
/// hash scope so the same directory synced to another organization never counts as up to date; and, in the same pass,
/// one digest per shard of the entries (<see cref="ShardHashes"/>). Each entry's JSON is written once into a reused
/// buffer and fed to both hashes, never held as one string. For groups, also each group's own digest
/// (<see cref="GroupDigestSet"/>).
/// </summary>
internal static class ContentHash
{
    private static readonly byte[] Comma = ","u8.ToArray();

    public static (string Whole, ShardHashes Shards) OfMembers(string hashScope, IReadOnlyList<PlannedMember> members, bool overwriteExisting)
    {
        using var hashes = new PartHashes(hashScope, overwriteExisting ? "overwriteExisting\n" : "");
        hashes.AppendWhole("{\"members\":["u8);
        for (var i = 0; i < members.Count; i++)
        {
            var member = members[i];
            hashes.AppendEntry(member.ExternalId, i > 0, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("email", member.Email);
                writer.WriteString("externalId", member.ExternalId);
                writer.WriteBoolean("deleted", member.Deleted);
                writer.WriteEndObject();
            });
        }

        hashes.AppendWhole(overwriteExisting ? "],\"overwriteExisting\":true}"u8 : "],\"overwriteExisting\":false}"u8);
        return hashes.Finish();
    }

    public static (string Whole, ShardHashes Shards, IReadOnlyDictionary<string, ulong> Digests) OfGroups(string hashScope, IReadOnlyList<PlannedGroup> groups)
    {
        using var hashes = new PartHashes(hashScope, "");
        var digests = new Dictionary<string, ulong>(groups.Count, StringComparer.Ordinal);
        hashes.AppendWhole("{\"groups\":["u8);
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            hashes.AppendEntry(group.ExternalId, i > 0, writer =>
            {
                writer.WriteStartObject();
                writer.WriteString("name", group.Name);
                writer.WriteString("externalId", group.ExternalId);
                writer.WriteStartArray("memberExternalIds");
                // By index: the list is a view over shared arrays, and 150,000 ids at 50k users need no enumerator.
                var memberExternalIds = group.MemberExternalIds;
                for (var m = 0; m < memberExternalIds.Count; m++)
                {
                    writer.WriteStringValue(memberExternalIds[m]);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            digests[group.ExternalId] = hashes.EntryDigest();
        }

        hashes.AppendWhole("]}"u8);
        var (whole, shards) = hashes.Finish();
        return (whole, shards, digests);
    }

    /// <summary>The whole part's hash and the shards' hashes, fed entry by entry.</summary>
    private sealed class PartHashes : IDisposable
    {
        private readonly IncrementalHash whole = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly IncrementalHash?[] shards = new IncrementalHash?[ShardHashes.Count];
        private readonly IncrementalHash single = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly byte[] shardPrefix;
        private readonly ArrayBufferWriter<byte> entry = new(1024);
        private readonly Utf8JsonWriter writer;

        public PartHashes(string hashScope, string shardContext)
        {
            whole.AppendData(Encoding.UTF8.GetBytes(hashScope + "\n"));
            shardPrefix = Encoding.UTF8.GetBytes(hashScope + "\n" + shardContext);
            writer = new Utf8JsonWriter(entry);
        }

        public void AppendWhole(ReadOnlySpan<byte> json) => whole.AppendData(json);

        public void AppendEntry(string externalId, bool separator, Action<Utf8JsonWriter> write)
        {
            entry.ResetWrittenCount();
            writer.Reset(entry);
            write(writer);
            writer.Flush();
            if (separator)
            {
                whole.AppendData(Comma);
            }

            whole.AppendData(entry.WrittenSpan);
            // Entries are self-delimiting JSON objects, so their concatenation is unambiguous.
            Shard(ShardHashes.ShardOf(externalId)).AppendData(entry.WrittenSpan);
        }

        /// <summary>The last appended entry's own digest: SHA-256 of the scope and its JSON, first 8 bytes.</summary>
        public ulong EntryDigest()
        {
            single.AppendData(shardPrefix);
            single.AppendData(entry.WrittenSpan);
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            single.GetHashAndReset(digest);
            return BinaryPrimitives.ReadUInt64BigEndian(digest);
        }

        public (string Whole, ShardHashes Shards) Finish()
        {
            var digests = new byte[ShardHashes.Count * ShardHashes.DigestSize];
            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            for (var shard = 0; shard < ShardHashes.Count; shard++)
            {
                Shard(shard).GetHashAndReset(digest);
                digest[..ShardHashes.DigestSize].CopyTo(digests.AsSpan(shard * ShardHashes.DigestSize));
            }

            return (Convert.ToHexStringLower(whole.GetHashAndReset()), new ShardHashes(digests));
        }

        public void Dispose()
        {
            writer.Dispose();
            whole.Dispose();
            single.Dispose();
            foreach (var shard in shards)
            {
                shard?.Dispose();
            }
        }

        private IncrementalHash Shard(int shard)
        {
            if (shards[shard] is not { } hash)
            {
                hash = shards[shard] = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                hash.AppendData(shardPrefix);
            }

            return hash;
        }
    }
}
