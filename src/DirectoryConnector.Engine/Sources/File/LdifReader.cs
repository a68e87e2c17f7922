using System.Text;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Engine.Sources.File;

/// <summary>Reads LDIF content records (RFC 2849) as written by ldapsearch, slapcat or ldifde.
/// Errors give the line and what is expected, never the file's text: the file may not be an export at all (a
/// mistyped path can point at a key or a token) and errors end up in status, events and logs.</summary>
internal static class LdifReader
{
    /// <summary>Parses the entries; throws <see cref="LdifFormatException"/> with the 1-based line of the fault.</summary>
    public static List<LdapEntry> Read(string text)
    {
        var entries = new List<LdapEntry>();
        var lines = Unfold(text);
        LdapEntry? entry = null;
        var first = true;
        foreach (var (number, line) in lines)
        {
            if (line.Length == 0)
            {
                entry = null;
                continue;
            }

            var (attribute, value) = ParseLine(number, line);
            if (entry is null)
            {
                if (first && attribute.Equals("version", StringComparison.OrdinalIgnoreCase))
                {
                    first = false;
                    if (Encoding.UTF8.GetString(value).Trim() != "1")
                    {
                        throw new LdifFormatException(number, "unsupported LDIF version (only version: 1 exists)");
                    }

                    continue;
                }

                if (!attribute.Equals("dn", StringComparison.OrdinalIgnoreCase))
                {
                    throw new LdifFormatException(number, "a record must start with 'dn:'");
                }

                first = false;
                var dn = Decode(number, value, "dn");
                if (!DistinguishedName.TryParse(dn, out _, out _))
                {
                    throw new LdifFormatException(number, "the dn is not a distinguished name (RFC 4514)");
                }

                entry = new LdapEntry(dn);
                entries.Add(entry);
                continue;
            }

            if (attribute.Equals("changetype", StringComparison.OrdinalIgnoreCase))
            {
                var changeType = Encoding.UTF8.GetString(value).Trim();
                if (!changeType.Equals("add", StringComparison.OrdinalIgnoreCase))
                {
                    throw new LdifFormatException(number, "this changetype is not supported: the file must describe entries (changetype add or none)");
                }

                continue;
            }

            if (attribute.Equals("dn", StringComparison.OrdinalIgnoreCase))
            {
                throw new LdifFormatException(number, "a 'dn:' line inside a record: separate records with an empty line");
            }

            if (attribute == "-")
            {
                throw new LdifFormatException(number, "modify records are not supported: the file must describe entries");
            }

            entry.Add(attribute, value);
        }

        return entries;
    }

    // Comments and folded lines (a leading single space continues the previous line) are undone first,
    // keeping each logical line's first physical line number for messages.
    private static List<(int Number, string Line)> Unfold(string text)
    {
        var result = new List<(int, string)>();
        var physical = text.Split('\n');
        StringBuilder? current = null;
        var currentNumber = 0;
        var inComment = false;
        for (var i = 0; i < physical.Length; i++)
        {
            var line = physical[i].TrimEnd('\r');
            if (line.StartsWith(' '))
            {
                if (inComment)
                {
                    continue;
                }

                if (current is null)
                {
                    throw new LdifFormatException(i + 1, "a continuation line (starting with a space) follows no line");
                }

                current.Append(line, 1, line.Length - 1);
                continue;
            }

            if (current is not null)
            {
                result.Add((currentNumber, current.ToString()));
                current = null;
            }

            inComment = line.StartsWith('#');
            if (inComment)
            {
                continue;
            }

            if (line.Length == 0)
            {
                result.Add((i + 1, ""));
                continue;
            }

            current = new StringBuilder(line);
            currentNumber = i + 1;
        }

        if (current is not null)
        {
            result.Add((currentNumber, current.ToString()));
        }

        return result;
    }

    private static (string Attribute, byte[] Value) ParseLine(int number, string line)
    {
        if (line == "-")
        {
            return ("-", []);
        }

        var colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            throw new LdifFormatException(number, "expected 'attribute: value'");
        }

        var attribute = line[..colon].Trim();
        if (!attribute.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or ';' or '.' or '=' or '*'))
        {
            throw new LdifFormatException(number, "the text before ':' is not an attribute description (RFC 4512: letters, digits, '-', ';' options)");
        }

        var rest = line[(colon + 1)..];
        if (rest.StartsWith(':'))
        {
            try
            {
                return (attribute, Convert.FromBase64String(rest[1..].Trim()));
            }
            catch (FormatException)
            {
                throw new LdifFormatException(number, $"the value of '{attribute}' is not valid base64");
            }
        }

        if (rest.StartsWith('<'))
        {
            throw new LdifFormatException(number, $"'{attribute}:<' URL values are not supported: inline the value");
        }

        return (attribute, Encoding.UTF8.GetBytes(rest.TrimStart(' ')));
    }

    private static string Decode(int number, byte[] value, string attribute)
    {
        try
        {
            return new UTF8Encoding(false, true).GetString(value);
        }
        catch (DecoderFallbackException)
        {
            throw new LdifFormatException(number, $"the value of '{attribute}' is not UTF-8 text");
        }
    }
}

/// <summary>A malformed LDIF file, with the 1-based line of the fault.</summary>
internal sealed class LdifFormatException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}
