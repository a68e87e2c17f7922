using System.Globalization;
using System.Text;

namespace DirectoryConnector.TestSupport.Okta;

/// <summary>
/// Okta's filter/search expression language (developer.okta.com/docs/api/#filter, #operators): comparisons
/// <c>attr op "value"</c> (eq, ne, gt, ge, lt, le, sw, co, ew, pr) joined by <c>and</c>/<c>or</c> (and binds tighter)
/// with parentheses. Property names are case-sensitive. Parse errors throw <see cref="FormatException"/>, which the
/// stand-in answers with 400 E0000031.
/// </summary>
public abstract record OktaExpression
{
    private static readonly string[] Operators = ["eq", "ne", "gt", "ge", "lt", "le", "sw", "co", "ew", "pr"];

    public static OktaExpression Parse(string text)
    {
        var tokens = Tokenize(text);
        var position = 0;
        var expression = ParseOr(tokens, ref position);
        if (position != tokens.Count)
        {
            throw new FormatException($"unexpected '{tokens[position].Text}'");
        }

        return expression;
    }

    /// <summary>Every comparison in the expression.</summary>
    public abstract IEnumerable<Comparison> Comparisons();

    public abstract bool Matches(Func<string, string?> valueOf, bool caseSensitive);

    private static OktaExpression ParseOr(List<Token> tokens, ref int position)
    {
        var left = ParseAnd(tokens, ref position);
        while (position < tokens.Count && tokens[position].Is("or"))
        {
            position++;
            left = new Or(left, ParseAnd(tokens, ref position));
        }

        return left;
    }

    private static OktaExpression ParseAnd(List<Token> tokens, ref int position)
    {
        var left = ParseTerm(tokens, ref position);
        while (position < tokens.Count && tokens[position].Is("and"))
        {
            position++;
            left = new And(left, ParseTerm(tokens, ref position));
        }

        return left;
    }

    private static OktaExpression ParseTerm(List<Token> tokens, ref int position)
    {
        if (position >= tokens.Count)
        {
            throw new FormatException("the expression ends early");
        }

        if (tokens[position].Text == "(" && !tokens[position].Quoted)
        {
            position++;
            var inner = ParseOr(tokens, ref position);
            if (position >= tokens.Count || tokens[position].Text != ")")
            {
                throw new FormatException("missing ')'");
            }

            position++;
            return inner;
        }

        var attribute = tokens[position++];
        if (attribute.Quoted || position >= tokens.Count)
        {
            throw new FormatException($"expected a comparison at '{attribute.Text}'");
        }

        var op = tokens[position++];
        if (op.Quoted || !Operators.Contains(op.Text))
        {
            throw new FormatException($"unknown operator '{op.Text}'");
        }

        if (op.Text == "pr")
        {
            return new Comparison(attribute.Text, "pr", null);
        }

        if (position >= tokens.Count)
        {
            throw new FormatException($"missing value after '{op.Text}'");
        }

        var value = tokens[position++];
        if (!value.Quoted && value.Text is not ("true" or "false") && !double.TryParse(value.Text, CultureInfo.InvariantCulture, out _))
        {
            throw new FormatException($"values must be quoted: {value.Text}");
        }

        return new Comparison(attribute.Text, op.Text, value.Text);
    }

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < text.Length;)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c is '(' or ')')
            {
                tokens.Add(new Token(c.ToString(), false));
                i++;
            }
            else if (c == '"')
            {
                var value = new StringBuilder();
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i++]);
                }

                if (i >= text.Length)
                {
                    throw new FormatException("unterminated string");
                }

                i++;
                tokens.Add(new Token(value.ToString(), true));
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or '"'))
                {
                    i++;
                }

                tokens.Add(new Token(text[start..i], false));
            }
        }

        return tokens;
    }

    public sealed record Comparison(string Attribute, string Operator, string? Value) : OktaExpression
    {
        public override IEnumerable<Comparison> Comparisons() => [this];

        public override bool Matches(Func<string, string?> valueOf, bool caseSensitive)
        {
            var actual = valueOf(Attribute);
            if (Operator == "pr")
            {
                return !string.IsNullOrEmpty(actual);
            }

            if (actual is null)
            {
                return false;
            }

            var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
            var order = DateTimeOffset.TryParse(actual, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var left)
                        && DateTimeOffset.TryParse(Value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var right)
                ? left.CompareTo(right)
                : string.Compare(actual, Value, comparison);
            return Operator switch
            {
                "eq" => order == 0,
                "ne" => order != 0,
                "gt" => order > 0,
                "ge" => order >= 0,
                "lt" => order < 0,
                "le" => order <= 0,
                "sw" => actual.StartsWith(Value!, comparison),
                "co" => actual.Contains(Value!, comparison),
                "ew" => actual.EndsWith(Value!, comparison),
                _ => false,
            };
        }
    }

    public sealed record And(OktaExpression Left, OktaExpression Right) : OktaExpression
    {
        public override IEnumerable<Comparison> Comparisons() => Left.Comparisons().Concat(Right.Comparisons());

        public override bool Matches(Func<string, string?> valueOf, bool caseSensitive) =>
            Left.Matches(valueOf, caseSensitive) && Right.Matches(valueOf, caseSensitive);
    }

    public sealed record Or(OktaExpression Left, OktaExpression Right) : OktaExpression
    {
        public override IEnumerable<Comparison> Comparisons() => Left.Comparisons().Concat(Right.Comparisons());

        public override bool Matches(Func<string, string?> valueOf, bool caseSensitive) =>
            Left.Matches(valueOf, caseSensitive) || Right.Matches(valueOf, caseSensitive);
    }

    private sealed record Token(string Text, bool Quoted)
    {
        public bool Is(string keyword) => !Quoted && Text == keyword;
    }
}
