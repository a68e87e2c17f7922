namespace DirectoryConnector.Engine.Sources.File;

/// <summary>A text file with bytes that are not valid in its encoding (<see cref="TextFileDecoder"/>); the message
/// names the line and how to convert the file, never the text around it.</summary>
public sealed class TextFileEncodingException(int line, string encoding, string? firstBadByte)
    : Exception(encoding == "UTF-8"
        ? $"line {line} is not UTF-8 text (byte {firstBadByte}: the file is in another encoding, e.g. Latin-1 or Windows-1252); save it as UTF-8 (e.g. with iconv -f WINDOWS-1252 -t UTF-8)"
        : $"line {line} is not valid {encoding} text (its byte-order mark says {encoding}); save the file as UTF-8")
{
    /// <summary>The 1-based line holding the first invalid byte sequence.</summary>
    public int Line { get; } = line;
}
