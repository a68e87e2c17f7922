using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>System.Text.Json's errors as people read them: its LineNumber and BytePositionInLine count from 0, and its
/// message ends in "Path: $ | LineNumber: 0 | BytePositionInLine: 1.", so every message that quotes one says line 0
/// for the first line. These say line 1.</summary>
public static partial class JsonErrorText
{
    /// <summary>"line 3, column 5", counted from 1; empty when the reader gave no position.</summary>
    public static string Position(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        return exception.LineNumber is { } line
            ? string.Create(CultureInfo.InvariantCulture, $"line {line + 1}, column {(exception.BytePositionInLine ?? 0) + 1}")
            : "";
    }

    /// <summary>The message without System.Text.Json's 0-based position suffix, then the 1-based position:
    /// "'o' is an invalid start of a property name. Expected a '"' at line 3, column 3".</summary>
    public static string Describe(JsonException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var message = PositionSuffix().Replace(exception.Message, "").TrimEnd().TrimEnd('.');
        var position = Position(exception);
        return position.Length == 0 ? message : $"{message} at {position}";
    }

    [GeneratedRegex(@"\s*(Path: [^|]*\|\s*)?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex PositionSuffix();
}
