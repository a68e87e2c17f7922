using System.Globalization;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// Checks the string form of an LDAP search filter (RFC 4515 §3) locally, so a typo in spec.filters or
/// disabledFilter is bad input named before connecting rather than a server error after it.
/// </summary>
/// <remarks>As lenient as OpenLDAP's libldap, which encodes the filter for the server: balanced parentheses inside a
/// value are accepted ("(cn=Sales (EMEA))"), and "(&amp;)" / "(|)" are the absolute true and false of RFC 4526.
/// Whether attribute names exist is the server's to say.</remarks>
internal static class LdapFilterSyntax
{
    /// <summary>Why <paramref name="filter"/> is not an LDAP filter (naming the position), or null when it is one.</summary>
    public static string? Problem(string filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parser = new Parser(filter);
        return parser.ParseFilter() ?? (parser.AtEnd ? null : parser.Error("text after the closing ')'"));
    }

    private ref struct Parser(string text)
    {
        private readonly string _text = text;
        private int _position;

        public readonly bool AtEnd => _position == _text.Length;

        public readonly string Error(string what) => string.Create(CultureInfo.InvariantCulture, $"{what} at position {_position + 1}");

        // filter = "(" filtercomp ")"
        public string? ParseFilter()
        {
            SkipSpaces();
            if (AtEnd || _text[_position] != '(')
            {
                return Error("expected '('");
            }

            _position++;
            SkipSpaces();
            if (AtEnd)
            {
                return Error("the filter ends before its ')'");
            }

            var problem = _text[_position] switch
            {
                '&' or '|' => ParseList(),
                '!' => ParseNot(),
                _ => ParseItem(),
            };
            if (problem is not null)
            {
                return problem;
            }

            SkipSpaces();
            if (AtEnd || _text[_position] != ')')
            {
                return Error("expected ')'");
            }

            _position++;
            SkipSpaces();
            return null;
        }

        private string? ParseList()
        {
            _position++;
            SkipSpaces();
            while (!AtEnd && _text[_position] == '(')
            {
                if (ParseFilter() is { } problem)
                {
                    return problem;
                }
            }

            return null;
        }

        private string? ParseNot()
        {
            _position++;
            return ParseFilter();
        }

        // item = attr ("=" | "~=" | ">=" | "<=") value  |  attr [":dn"] [":" oid] ":=" value  |  [":dn"] ":" oid ":=" value
        private string? ParseItem()
        {
            var start = _position;
            while (!AtEnd && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '-' or '.' or ';'))
            {
                _position++;
            }

            var attribute = _text[start.._position];
            if (attribute.Length > 0 && !IsAttributeDescription(attribute))
            {
                _position = start;
                return Error($"'{attribute}' is not an attribute description");
            }

            if (AtEnd)
            {
                return Error("the filter ends inside an item");
            }

            if (_text[_position] == ':')
            {
                if (ParseExtensible(attribute.Length > 0) is { } problem)
                {
                    return problem;
                }
            }
            else
            {
                if (attribute.Length == 0)
                {
                    return Error("expected an attribute name");
                }

                if (_text[_position] is '~' or '>' or '<')
                {
                    _position++;
                }

                if (AtEnd || _text[_position] != '=')
                {
                    return Error($"expected '=', '~=', '>=' or '<=' after '{attribute}'");
                }

                _position++;
            }

            return ParseValue();
        }

        private string? ParseExtensible(bool hasAttribute)
        {
            var matchingRule = false;
            if (string.Compare(_text, _position, ":dn", 0, 3, StringComparison.OrdinalIgnoreCase) == 0
                && _position + 3 < _text.Length && _text[_position + 3] == ':')
            {
                _position += 3;
            }

            if (_position + 1 < _text.Length && _text[_position] == ':' && _text[_position + 1] != '=')
            {
                _position++;
                var start = _position;
                while (!AtEnd && (char.IsAsciiLetterOrDigit(_text[_position]) || _text[_position] is '-' or '.'))
                {
                    _position++;
                }

                if (_position == start)
                {
                    return Error("expected a matching rule after ':'");
                }

                matchingRule = true;
            }

            if (!hasAttribute && !matchingRule)
            {
                return Error("an extensible match needs an attribute or a matching rule");
            }

            if (_position + 1 >= _text.Length || _text[_position] != ':' || _text[_position + 1] != '=')
            {
                return Error("expected ':=' in an extensible match");
            }

            _position += 2;
            return null;
        }

        // assertionvalue: \XX escapes; '(' and ')' only balanced (as libldap accepts); '*' separates substrings.
        private string? ParseValue()
        {
            var depth = 0;
            while (!AtEnd)
            {
                var c = _text[_position];
                if (c == '\\')
                {
                    if (_position + 2 >= _text.Length || !char.IsAsciiHexDigit(_text[_position + 1]) || !char.IsAsciiHexDigit(_text[_position + 2]))
                    {
                        return Error("a backslash in a value must start a two-digit hex escape such as \\2a or \\28");
                    }

                    _position += 3;
                    continue;
                }

                if (c == '\0')
                {
                    return Error("a NUL character must be escaped as \\00");
                }

                if (c == '(')
                {
                    depth++;
                }
                else if (c == ')')
                {
                    if (depth == 0)
                    {
                        return null;
                    }

                    depth--;
                }

                _position++;
            }

            return Error("the filter ends before its ')'");
        }

        private void SkipSpaces()
        {
            while (!AtEnd && _text[_position] == ' ')
            {
                _position++;
            }
        }

        // descr or numericoid (RFC 4512 §1.4), then options.
        private static bool IsAttributeDescription(string attribute)
        {
            var parts = attribute.Split(';');
            var type = parts[0];
            var valid = type.Length > 0 && (char.IsAsciiDigit(type[0])
                ? type.Split('.').All(number => number.Length > 0 && number.All(char.IsAsciiDigit))
                : char.IsAsciiLetter(type[0]) && type.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
            return valid && parts.Skip(1).All(option => option.Length > 0 && option.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'));
        }
    }
}
