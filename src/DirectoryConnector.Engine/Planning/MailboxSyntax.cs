using System.Collections.Concurrent;
using System.Globalization;
using System.Net;

namespace DirectoryConnector.Engine.Planning;

/// <summary>
/// Whether an address is a mailbox an invitation can reach: RFC 5321 §4.1.2 <c>Local-part "@" Domain</c> with the
/// internationalized forms of RFC 6531 §3.3 (UTF-8 in the local part, U-labels in the domain). The server's own check
/// only counts '@' signs, so without this a display-name form ("Ann &lt;ann@x&gt;"), an unquoted space or a trailing dot
/// becomes a member nobody can ever join as.
/// </summary>
/// <remarks>Accepted: dot-atoms with every atext character (plus addressing, apostrophes), quoted local parts
/// (RFC 5321 Quoted-string), non-ASCII local parts, IDN domains (checked with IDNA, RFC 5891), address literals.
/// Refused: what RFC 5321 refuses, with the first reason found; its 64-octet local-part limit is not enforced
/// (RFC 5321 §4.5.3.1 asks receivers not to, and the server's own limit of 256 characters applies).</remarks>
internal static class MailboxSyntax
{
    private const int MaxDomainOctets = 255;   // RFC 5321 §4.5.3.1.2

    private static readonly IdnMapping Idna = new() { AllowUnassigned = false, UseStd3AsciiRules = true };

    /// <summary>Why <paramref name="address"/> is not a mailbox, or null when it is.</summary>
    public static string? Problem(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Contains('\uFFFD', StringComparison.Ordinal))
        {
            // What a lenient decoder puts for bytes that were not UTF-8: an invitation to it reaches no one.
            return "it contains U+FFFD, the replacement for bytes that were not valid text: the directory holds it in another encoding than UTF-8";
        }

        if (address.EndsWith('>') && address.Contains('<', StringComparison.Ordinal))
        {
            return "it is in display-name form (Name <address>): store the address alone";
        }

        var at = LocalPartEnd(address, out var localProblem);
        if (localProblem is not null)
        {
            return localProblem;
        }

        if (at < 0)
        {
            return "it has no '@' and domain";
        }

        var local = address[..at];
        var domain = address[(at + 1)..];
        return LocalPartProblem(local) ?? DomainProblem(domain);
    }

    // Index of the '@' that ends the local part (a quoted local part may contain '@'); -1 when there is none.
    private static int LocalPartEnd(string address, out string? problem)
    {
        problem = null;
        if (address.StartsWith('"'))
        {
            for (var i = 1; i < address.Length; i++)
            {
                if (address[i] == '\\')
                {
                    i++;
                    continue;
                }

                if (address[i] == '"')
                {
                    if (i + 1 < address.Length && address[i + 1] == '@')
                    {
                        return i + 1;
                    }

                    problem = "text follows the quoted local part before the '@'";
                    return -1;
                }
            }

            problem = "the quoted local part is not closed";
            return -1;
        }

        return address.LastIndexOf('@');
    }

    private static string? LocalPartProblem(string local)
    {
        if (local.Length == 0)
        {
            return "the part before the '@' is empty";
        }

        if (local.StartsWith('"'))
        {
            // Quoted-string: qtextSMTP is printable ASCII but '"' and '\', or UTF-8; quoted-pairSMTP is '\' + printable.
            for (var i = 1; i < local.Length - 1; i++)
            {
                var c = local[i];
                if (c == '\\')
                {
                    i++;
                    if (i >= local.Length - 1 || local[i] is < ' ' or > '~')
                    {
                        return "the quoted local part has a backslash before a character it cannot escape";
                    }
                }
                else if (char.IsControl(c))
                {
                    return "the quoted local part contains a control character";
                }
            }

            return null;
        }

        foreach (var atom in local.Split('.'))
        {
            if (atom.Length == 0)
            {
                return local.StartsWith('.') || local.EndsWith('.')
                    ? "the part before the '@' starts or ends with a dot"
                    : "the part before the '@' has two dots in a row";
            }

            foreach (var c in atom)
            {
                if (!IsAtext(c))
                {
                    return c switch
                    {
                        ' ' => "the part before the '@' contains an unquoted space",
                        '<' or '>' => "the part before the '@' contains '<' or '>', which a mailbox allows only in quotes",
                        '@' => "it has more than one '@'",
                        _ => $"the part before the '@' contains '{Printable(c)}', which a mailbox allows only in quotes",
                    };
                }
            }
        }

        return null;
    }

    /// <summary>Domains already checked, with their problem (null for none): a directory's users share a few domains, and
    /// the IDNA conversion is the costly part of the check. Bounded, so odd data cannot grow it without limit.</summary>
    private static readonly ConcurrentDictionary<string, string?> CheckedDomains = new(StringComparer.Ordinal);

    private const int MaxCheckedDomains = 4096;

    private static string? DomainProblem(string domain)
    {
        if (CheckedDomains.TryGetValue(domain, out var known))
        {
            return known;
        }

        var problem = CheckDomain(domain);
        if (CheckedDomains.Count < MaxCheckedDomains)
        {
            CheckedDomains.TryAdd(domain, problem);
        }

        return problem;
    }

    private static string? CheckDomain(string domain)
    {
        if (domain.Length == 0)
        {
            return "it has no domain after the '@'";
        }

        if (domain.StartsWith('[') && domain.EndsWith(']'))
        {
            var literal = domain[1..^1];
            var address = literal.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase) ? literal[5..] : literal;
            return IPAddress.TryParse(address, out _) ? null : $"the address literal [{literal}] is not an IP address";
        }

        if (domain.EndsWith('.'))
        {
            return "the domain ends with a dot";
        }

        foreach (var c in domain)
        {
            if (c is ' ' or '<' or '>' or '@' or '"' or ',' or ';' or '(' or ')' or '[' or ']' or '\\' || char.IsControl(c) || char.IsWhiteSpace(c))
            {
                return $"the domain contains '{Printable(c)}'";
            }
        }

        string ascii;
        try
        {
            ascii = Idna.GetAscii(domain);
        }
        catch (ArgumentException)
        {
            return $"the domain '{domain}' is not a host name (letters, digits and hyphens in dot-separated labels, or an internationalized name)";
        }

        return ascii.Length > MaxDomainOctets ? $"the domain is longer than {MaxDomainOctets} characters" : null;
    }

    // RFC 5322 atext, plus any non-ASCII character (RFC 6532 §3.2 UTF8-non-ascii).
    private static bool IsAtext(char c)
        => char.IsAsciiLetterOrDigit(c) || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '/' or '='
               or '?' or '^' or '_' or '`' or '{' or '|' or '}' or '~'
           || (c > '\u007f' && !char.IsControl(c) && !char.IsWhiteSpace(c));

    private static string Printable(char c) => char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString();
}
