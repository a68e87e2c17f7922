using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// SHA-256 of what would be posted, as canonical JSON (camelCase, canonical order, no whitespace), prefixed by the
/// hash scope so the same directory synced to another organization never counts as up to date. The JSON is streamed
/// into the hash, never held as one string.
/// </summary>
internal static class ContentHash
{
    public static string OfMembers(string hashScope, IReadOnlyList<PlannedMember> members, bool overwriteExisting)
        => Compute(hashScope, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("members");
            foreach (var member in members)
            {
                writer.WriteStartObject();
                writer.WriteString("email", member.Email);
                writer.WriteString("externalId", member.ExternalId);
                writer.WriteBoolean("deleted", member.Deleted);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteBoolean("overwriteExisting", overwriteExisting);
            writer.WriteEndObject();
        });

    public static string OfGroups(string hashScope, IReadOnlyList<PlannedGroup> groups)
        => Compute(hashScope, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("groups");
            foreach (var group in groups)
            {
                writer.WriteStartObject();
                writer.WriteString("name", group.Name);
                writer.WriteString("externalId", group.ExternalId);
                writer.WriteStartArray("memberExternalIds");
                foreach (var memberExternalId in group.MemberExternalIds)
                {
                    writer.WriteStringValue(memberExternalId);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    private static string Compute(string hashScope, Action<Utf8JsonWriter> writeContent)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes(hashScope + "\n"));
        using (var writer = new Utf8JsonWriter(new HashingBufferWriter(hash)))
        {
            writeContent(writer);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Hands each chunk the JSON writer completes to the hash, reusing one buffer.</summary>
    private sealed class HashingBufferWriter(IncrementalHash hash) : IBufferWriter<byte>
    {
        private byte[] buffer = new byte[16 * 1024];

        public void Advance(int count) => hash.AppendData(buffer, 0, count);

        public Memory<byte> GetMemory(int sizeHint = 0) => EnsureCapacity(sizeHint);

        public Span<byte> GetSpan(int sizeHint = 0) => EnsureCapacity(sizeHint);

        private byte[] EnsureCapacity(int sizeHint)
        {
            // The writer has handed back everything it wrote (Advance) before asking again, so nothing is lost here.
            if (sizeHint > buffer.Length)
            {
                buffer = new byte[Math.Max(sizeHint, buffer.Length * 2)];
            }

            return buffer;
        }
    }
}
