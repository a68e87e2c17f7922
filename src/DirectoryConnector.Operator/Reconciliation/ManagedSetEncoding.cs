using System.IO.Compression;
using System.Text;

namespace DirectoryConnector.Operator.Reconciliation;

/// <summary>status.managedMembers / managedGroups: sorted external ids, newline-separated, gzip, base64. DNs share long
/// suffixes, so 10,000 members take roughly 100 KB instead of 600 KB of the object's 1.5 MB.</summary>
public static class ManagedSetEncoding
{
    public static string? Encode(IReadOnlyList<string>? externalIds)
    {
        if (externalIds is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(string.Join('\n', externalIds)));
        }

        return Convert.ToBase64String(buffer.ToArray());
    }

    /// <summary>Null for null; a damaged value also gives null (nothing recorded, so nothing is pruned).</summary>
    public static IReadOnlyList<string>? Decode(string? encoded)
    {
        if (encoded is null)
        {
            return null;
        }

        try
        {
            using var gzip = new GZipStream(new MemoryStream(Convert.FromBase64String(encoded)), CompressionMode.Decompress);
            using var reader = new StreamReader(gzip, Encoding.UTF8);
            var text = reader.ReadToEnd();
            return text.Length == 0 ? [] : text.Split('\n');
        }
        catch (Exception e) when (e is FormatException or InvalidDataException)
        {
            return null;
        }
    }
}
