using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace DirectoryConnector.Engine.Sources.File;

/// <summary>
/// Decodes a text file (a manifest, an LDIF or JSON export) strictly: UTF-8, or UTF-16 / UTF-32 when the file starts
/// with that byte-order mark (as <c>ldifde -u</c> and Windows editors write). A byte sequence that is not valid in the
/// encoding throws <see cref="TextFileEncodingException"/> with its line, instead of becoming U+FFFD: a Latin-1 'é'
/// would otherwise reach Bitwarden inside an email address or a group name.
/// </summary>
public static class TextFileDecoder
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>The text of <paramref name="bytes"/>, without its byte-order mark.</summary>
    /// <exception cref="TextFileEncodingException">A byte sequence is not valid in the file's encoding.</exception>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        var (encoding, bomLength) = bytes switch
        {
            [0xFF, 0xFE, 0x00, 0x00, ..] => ((Encoding?)new UTF32Encoding(bigEndian: false, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0x00, 0x00, 0xFE, 0xFF, ..] => (new UTF32Encoding(bigEndian: true, byteOrderMark: false, throwOnInvalidCharacters: true), 4),
            [0xFF, 0xFE, ..] => (new UnicodeEncoding(bigEndian: false, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            [0xFE, 0xFF, ..] => (new UnicodeEncoding(bigEndian: true, byteOrderMark: false, throwOnInvalidBytes: true), 2),
            _ => (null, bytes.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0),
        };
        var body = bytes[bomLength..];
        if (encoding is null)
        {
            var chars = new char[body.Length];
            if (Utf8.ToUtf16(body, chars, out var read, out var written, replaceInvalidSequences: false) != OperationStatus.Done)
            {
                throw new TextFileEncodingException(LineAt(body, read, "\n"u8), "UTF-8",
                    string.Create(System.Globalization.CultureInfo.InvariantCulture, $"0x{body[read]:X2}"));
            }

            return new string(chars, 0, written);
        }

        try
        {
            return encoding.GetString(body);
        }
        catch (DecoderFallbackException e)
        {
            var newline = encoding.GetBytes("\n");
            var at = Math.Clamp(e.Index, 0, body.Length);
            throw new TextFileEncodingException(LineAt(body, at, newline), encoding.WebName.ToUpperInvariant(), null);
        }
    }

    // 1-based line of the byte at offset: the line feeds before it, plus one.
    private static int LineAt(ReadOnlySpan<byte> text, int offset, ReadOnlySpan<byte> newline)
    {
        var line = 1;
        var before = text[..offset];
        for (var at = before.IndexOf(newline); at >= 0; at = before.IndexOf(newline))
        {
            line++;
            before = before[(at + newline.Length)..];
        }

        return line;
    }
}
