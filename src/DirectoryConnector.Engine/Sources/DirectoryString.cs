using System.Globalization;
using System.Text;

namespace DirectoryConnector.Engine.Sources;

/// <summary>
/// Compares names that come from a directory the way the directory does: RFC 4518 string preparation for
/// caseIgnoreMatch (cn, ou, dc, uid, memberUid, DN values). Two values are equal when they differ only in Unicode
/// normalization (NFC vs NFD, as macOS / Open Directory tools write), in letter case (non-ASCII included: Ö and ö),
/// in characters mapped to nothing (soft hyphen, zero-width space, variation selectors, controls) or in
/// insignificant spaces (leading, trailing, runs; every Unicode space separator counts as a space).
/// </summary>
/// <remarks>
/// Steps of RFC 4518 §2: map (§2.2: mapped-to-nothing and mapped-to-space characters, then case folding), normalize
/// with NFKC (§2.3), insignificant space handling (§2.6.1). Case folding is .NET's invariant simple case mapping
/// (upper, then lower, so final sigma and long s fold like RFC 3454 table B.2); the few full foldings of B.2 that
/// expand a letter (ß → ss) are not applied, so "Straße" and "STRASSE" stay different. Prohibited and unassigned code
/// points (§2.4) are kept: a directory that stored them already accepted them.
/// </remarks>
public static class DirectoryString
{
    /// <summary>Equality (and hash) under caseIgnoreMatch preparation, for dictionaries keyed by directory names.</summary>
    public static IEqualityComparer<string> CaseIgnoreComparer { get; } = new PreparedComparer();

    /// <summary>The caseIgnoreMatch form of <paramref name="value"/>: equal results mean the directory sees equal values.</summary>
    public static string PrepareCaseIgnore(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (IsPreparedAscii(value))
        {
            return value;
        }

        if (IsPrintableAscii(value))
        {
            // Nothing to map or normalize: lowercase, trim and collapse spaces in one copy.
            return value.Length <= StackLimit ? new string(PrepareAscii(value, stackalloc char[value.Length])) : new string(PrepareAscii(value, new char[value.Length]));
        }

        var mapped = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (IsMappedToNothing(c))
            {
                continue;
            }

            mapped.Append(IsMappedToSpace(c) ? ' ' : c);
        }

        var folded = mapped.ToString().Normalize(NormalizationForm.FormKC)
            .ToUpperInvariant().ToLowerInvariant()
            .Normalize(NormalizationForm.FormKC);
        return string.Join(' ', folded.Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    /// <summary>True when the directory sees <paramref name="left"/> and <paramref name="right"/> as the same name.</summary>
    public static bool CaseIgnoreEquals(string? left, string? right)
        => left is null || right is null
            ? left is null && right is null
            : string.Equals(PrepareCaseIgnore(left), PrepareCaseIgnore(right), StringComparison.Ordinal);

    /// <summary>Unicode canonical composition (NFC) only: for identifiers whose case matters, so that the same text
    /// written decomposed or precomposed is one identifier. Returns <paramref name="value"/> itself when already NFC.</summary>
    public static string ComposeCanonical(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value.IsNormalized(NormalizationForm.FormC) ? value : value.Normalize(NormalizationForm.FormC);
    }

    private const int StackLimit = 512;

    private static bool IsPrintableAscii(string value)
    {
        foreach (var c in value)
        {
            if (c is < ' ' or > '~')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The prepared form of printable ASCII (what the general path gives for it): lowercase, no leading or
    /// trailing spaces, inner runs of spaces as one.</summary>
    private static ReadOnlySpan<char> PrepareAscii(string value, Span<char> buffer)
    {
        var length = 0;
        var pendingSpace = false;
        foreach (var c in value)
        {
            if (c == ' ')
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace)
            {
                buffer[length++] = ' ';
                pendingSpace = false;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        return buffer[..length];
    }

    // Lowercase ASCII letters, digits and punctuation with single inner spaces are already prepared (the common case).
    private static bool IsPreparedAscii(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var prepared = c == ' '
                ? i > 0 && i < value.Length - 1 && value[i - 1] != ' '
                : c is >= '!' and <= '~' && !char.IsAsciiLetterUpper(c);
            if (!prepared)
            {
                return false;
            }
        }

        return true;
    }

    // RFC 4518 §2.2: SOFT HYPHEN, MONGOLIAN TODO SOFT HYPHEN, COMBINING GRAPHEME JOINER, variation selectors, OBJECT
    // REPLACEMENT CHARACTER, ZERO WIDTH SPACE, and the control characters that are not spaces.
    private static bool IsMappedToNothing(char c)
        => c is '\u00AD' or '\u1806' or '\u034F' or (>= '\u180B' and <= '\u180D') or (>= '\uFE00' and <= '\uFE0F') or '\uFFFC' or '\u200B'
           or (>= '\u0000' and <= '\u0008') or (>= '\u000E' and <= '\u001F') or (>= '\u007F' and <= '\u0084') or (>= '\u0086' and <= '\u009F');

    // RFC 4518 §2.2: CHARACTER TABULATION to CARRIAGE RETURN, NEXT LINE and every space separator (Zs), line and paragraph separators.
    private static bool IsMappedToSpace(char c)
        => c is (>= '\u0009' and <= '\u000D') or '\u0085' or '\u2028' or '\u2029'
           || CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.SpaceSeparator;

    private sealed class PreparedComparer : IEqualityComparer<string>
    {
        public bool Equals(string? x, string? y) => CaseIgnoreEquals(x, y);

        // The hash of the prepared form, computed without allocating it for printable ASCII (string hashes of equal
        // characters are equal, whether of a string or a span).
        public int GetHashCode(string obj)
            => obj.Length <= StackLimit && IsPrintableAscii(obj)
                ? string.GetHashCode(PrepareAscii(obj, stackalloc char[obj.Length]))
                : StringComparer.Ordinal.GetHashCode(PrepareCaseIgnore(obj));
    }
}
