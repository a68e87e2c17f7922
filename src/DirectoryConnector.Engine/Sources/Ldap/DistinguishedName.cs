using System.Globalization;
using System.Text;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// An RFC 4514 distinguished name with a canonical form under which two DNs are equal exactly when a directory
/// would treat them as the same entry: attribute values prepared as RFC 4518 caseIgnoreMatch does (cn/ou/dc/uid use it:
/// NFC and NFD spellings, non-ASCII case, insignificant spaces; see <see cref="DirectoryString"/>), attribute types
/// case-insensitive, escapes normalized, multi-valued RDNs order-independent.
/// Group member values written by different tools differ in all of these ways; comparing them as text loses members.
/// </summary>
public sealed class DistinguishedName : IEquatable<DistinguishedName>
{
    private DistinguishedName(IReadOnlyList<IReadOnlyList<AttributeTypeAndValue>> rdns)
    {
        Rdns = rdns;
        Canonical = string.Join(",", rdns.Select(rdn => string.Join("+", rdn.Select(ava => ava.Type + "=" + ava.EscapedValue))));
    }

    /// <summary>RDNs from the leaf to the root; each RDN's attribute-value pairs sorted.</summary>
    public IReadOnlyList<IReadOnlyList<AttributeTypeAndValue>> Rdns { get; }

    /// <summary>Lowercase, minimally escaped, no insignificant spaces: equal strings mean equal DNs.</summary>
    public string Canonical { get; }

    public static DistinguishedName Parse(string text)
        => TryParse(text, out var dn, out var error) ? dn : throw new FormatException($"'{text}' is not a distinguished name: {error}");

    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DistinguishedName? dn)
        => TryParse(text, out dn, out _);

    public static bool TryParse(
        string? text,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out DistinguishedName? dn,
        out string? error)
    {
        dn = null;
        if (text is null)
        {
            error = "null";
            return false;
        }

        var parser = new Parser(text);
        if (!parser.TryParseDn(out var rdns, out error))
        {
            return false;
        }

        dn = new DistinguishedName(rdns);
        return true;
    }

    /// <summary>The canonical form of <paramref name="text"/>, or null when it is not a DN. A DN of single-valued RDNs
    /// whose types are letters, digits and hyphens and whose values are ASCII letters, digits, '-', '.', '_', '@' and
    /// single inner spaces (nearly every DN a directory returns) is canonical once lowercased: it is returned as is when
    /// already lowercase, without parsing.</summary>
    public static string? TryCanonicalize(string? text)
        => text is null ? null : IsSimple(text, out var lowercase) ? (lowercase ? text : text.ToLowerInvariant()) : TryParse(text, out var dn) ? dn.Canonical : null;

    /// <summary>True when <paramref name="text"/> has the shape whose canonical form is its lowercase (see
    /// <see cref="TryCanonicalize"/>); anything else goes through the parser.</summary>
    private static bool IsSimple(string text, out bool lowercase)
    {
        lowercase = true;
        var position = 0;
        while (true)
        {
            // type: a letter, then letters, digits or hyphens (no OIDs: "oid." prefixes and numeric forms are parsed).
            if (position == text.Length || !char.IsAsciiLetter(text[position]))
            {
                return false;
            }

            while (position < text.Length && (char.IsAsciiLetterOrDigit(text[position]) || text[position] == '-'))
            {
                lowercase &= !char.IsAsciiLetterUpper(text[position++]);
            }

            if (position == text.Length || text[position++] != '=')
            {
                return false;
            }

            // value: no leading, trailing or double spaces, nothing that is escaped or normalized.
            var start = position;
            while (position < text.Length && text[position] != ',')
            {
                var c = text[position];
                if (c == ' ')
                {
                    if (position == start || position + 1 == text.Length || text[position + 1] is ' ' or ',')
                    {
                        return false;
                    }
                }
                else if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '.' or '_' or '@'))
                {
                    return false;
                }

                lowercase &= !char.IsAsciiLetterUpper(c);
                position++;
            }

            if (position == start)
            {
                return false;
            }

            if (position == text.Length)
            {
                return true;
            }

            position++; // ','
        }
    }

    /// <summary>True when this DN is <paramref name="ancestor"/> or lies below it.</summary>
    public bool IsWithin(DistinguishedName ancestor)
    {
        ArgumentNullException.ThrowIfNull(ancestor);
        if (ancestor.Rdns.Count > Rdns.Count)
        {
            return false;
        }

        var offset = Rdns.Count - ancestor.Rdns.Count;
        for (var i = 0; i < ancestor.Rdns.Count; i++)
        {
            if (!RdnEquals(Rdns[offset + i], ancestor.Rdns[i]))
            {
                return false;
            }
        }

        return true;
    }

    public bool Equals(DistinguishedName? other) => other is not null && string.Equals(Canonical, other.Canonical, StringComparison.Ordinal);

    public override bool Equals(object? obj) => Equals(obj as DistinguishedName);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(Canonical);

    public override string ToString() => Canonical;

    private static bool RdnEquals(IReadOnlyList<AttributeTypeAndValue> left, IReadOnlyList<AttributeTypeAndValue> right)
        => left.Count == right.Count && left.Zip(right).All(pair => pair.First.Equals(pair.Second));

    /// <summary>One attribute=value pair of an RDN, already canonical.</summary>
    /// <param name="Type">Lowercase attribute type or numeric OID.</param>
    /// <param name="EscapedValue">The value normalized and escaped as RFC 4514 requires (a #hex string stays hex).</param>
    public sealed record AttributeTypeAndValue(string Type, string EscapedValue);

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public bool TryParseDn(out List<IReadOnlyList<AttributeTypeAndValue>> rdns, out string? error)
        {
            rdns = [];
            error = null;
            SkipSpaces();
            if (_position == _text.Length)
            {
                return true; // the empty DN names the root DSE
            }

            var rdn = new List<AttributeTypeAndValue>();
            while (true)
            {
                if (!TryParseAttributeTypeAndValue(out var ava, out error))
                {
                    return false;
                }

                rdn.Add(ava);
                SkipSpaces();
                if (_position == _text.Length)
                {
                    rdns.Add(Sorted(rdn));
                    return true;
                }

                var separator = _text[_position++];
                switch (separator)
                {
                    case '+':
                        break;
                    case ',' or ';':
                        rdns.Add(Sorted(rdn));
                        rdn = [];
                        break;
                    default:
                        error = $"unexpected '{separator}' at position {_position - 1}";
                        return false;
                }

                SkipSpaces();
                if (_position == _text.Length)
                {
                    error = "ends with a separator";
                    return false;
                }
            }
        }

        private static List<AttributeTypeAndValue> Sorted(List<AttributeTypeAndValue> rdn)
            => [.. rdn.OrderBy(ava => ava.Type, StringComparer.Ordinal).ThenBy(ava => ava.EscapedValue, StringComparer.Ordinal)];

        private bool TryParseAttributeTypeAndValue(out AttributeTypeAndValue ava, out string? error)
        {
            ava = null!;
            var start = _position;
            while (_position < _text.Length && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '-' or '.'))
            {
                _position++;
            }

            var type = _text[start.._position].ToLowerInvariant();
            if (type.StartsWith("oid.", StringComparison.Ordinal))
            {
                type = type[4..];
            }

            if (!IsValidType(type))
            {
                error = type.Length == 0 ? $"missing attribute type at position {start}" : $"invalid attribute type '{type}'";
                return false;
            }

            SkipSpaces();
            if (_position == _text.Length || _text[_position] != '=')
            {
                error = $"missing '=' after '{type}'";
                return false;
            }

            _position++;
            SkipSpaces();
            if (_position < _text.Length && _text[_position] == '#')
            {
                return TryParseHexString(type, out ava, out error);
            }

            if (_position < _text.Length && _text[_position] == '"')
            {
                return TryParseQuoted(type, out ava, out error);
            }

            var bytes = new List<byte>();
            var significantLength = 0; // unescaped trailing spaces are not part of the value
            Span<byte> utf8 = stackalloc byte[4];
            while (_position < _text.Length)
            {
                var c = _text[_position];
                if (c is ',' or ';' or '+')
                {
                    break;
                }

                if (c == '\\')
                {
                    if (!TryParseEscape(bytes, out error))
                    {
                        return false;
                    }

                    significantLength = bytes.Count;
                    continue;
                }

                if (c is '"' or '<' or '>')
                {
                    error = $"unescaped '{c}' in the value of '{type}'";
                    return false;
                }

                var rune = Rune.GetRuneAt(_text, _position);
                var written = rune.EncodeToUtf8(utf8);
                for (var i = 0; i < written; i++)
                {
                    bytes.Add(utf8[i]);
                }

                _position += rune.Utf16SequenceLength;
                if (c != ' ')
                {
                    significantLength = bytes.Count;
                }
            }

            string value;
            try
            {
                value = new UTF8Encoding(false, true).GetString([.. bytes.Take(significantLength)]);
            }
            catch (DecoderFallbackException)
            {
                error = $"the value of '{type}' is not valid UTF-8";
                return false;
            }

            ava = new AttributeTypeAndValue(type, EscapeValue(NormalizeValue(value)));
            error = null;
            return true;
        }

        private bool TryParseQuoted(string type, out AttributeTypeAndValue ava, out string? error)
        {
            ava = null!;
            _position++; // opening quote (RFC 1779, still written by some tools)
            var builder = new StringBuilder();
            while (_position < _text.Length && _text[_position] != '"')
            {
                if (_text[_position] == '\\' && _position + 1 < _text.Length)
                {
                    _position++;
                }

                builder.Append(_text[_position++]);
            }

            if (_position == _text.Length)
            {
                error = $"unterminated quoted value of '{type}'";
                return false;
            }

            _position++;
            ava = new AttributeTypeAndValue(type, EscapeValue(NormalizeValue(builder.ToString())));
            error = null;
            return true;
        }

        private bool TryParseHexString(string type, out AttributeTypeAndValue ava, out string? error)
        {
            ava = null!;
            var start = ++_position;
            while (_position < _text.Length && char.IsAsciiHexDigit(_text[_position]))
            {
                _position++;
            }

            var hex = _text[start.._position];
            if (hex.Length == 0 || hex.Length % 2 != 0)
            {
                error = $"invalid hex string value of '{type}'";
                return false;
            }

            // The BER encoding is compared byte for byte, so it stays in its hex form.
            ava = new AttributeTypeAndValue(type, "#" + hex.ToLowerInvariant());
            error = null;
            return true;
        }

        private bool TryParseEscape(List<byte> bytes, out string? error)
        {
            _position++; // backslash
            if (_position < _text.Length - 1 && char.IsAsciiHexDigit(_text[_position]) && char.IsAsciiHexDigit(_text[_position + 1]))
            {
                bytes.Add(byte.Parse(_text.AsSpan(_position, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                _position += 2;
                error = null;
                return true;
            }

            if (_position < _text.Length && _text[_position] is ' ' or '"' or '#' or '+' or ',' or ';' or '<' or '=' or '>' or '\\')
            {
                bytes.Add((byte)_text[_position++]);
                error = null;
                return true;
            }

            error = $"invalid escape at position {_position - 1}";
            return false;
        }

        private void SkipSpaces()
        {
            while (_position < _text.Length && _text[_position] == ' ')
            {
                _position++;
            }
        }

        private static bool IsValidType(string type)
        {
            if (type.Length == 0)
            {
                return false;
            }

            if (char.IsAsciiDigit(type[0]))
            {
                // numericoid: number *( DOT number )
                return type.Split('.').All(part => part.Length > 0 && part.All(char.IsAsciiDigit));
            }

            return char.IsAsciiLetter(type[0]) && type.All(c => char.IsAsciiLetterOrDigit(c) || c == '-');
        }

        // caseIgnoreMatch (RFC 4518): Unicode normalization, case folding, insignificant spaces.
        private static string NormalizeValue(string value) => DirectoryString.PrepareCaseIgnore(value);

        private static string EscapeValue(string value)
        {
            var builder = new StringBuilder(value.Length + 4);
            for (var i = 0; i < value.Length; i++)
            {
                var c = value[i];
                if (c is ',' or '+' or '"' or '\\' or '<' or '>' or ';' or '=' || (i == 0 && c is '#' or ' ') || (i == value.Length - 1 && c == ' '))
                {
                    builder.Append('\\').Append(c);
                }
                else if (c < ' ' || c == '\u007f')
                {
                    builder.Append('\\').Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                }
                else
                {
                    builder.Append(c);
                }
            }

            return builder.ToString();
        }
    }
}
