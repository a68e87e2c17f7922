using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// Evaluates the few x-kubernetes-validations rule shapes the DirectorySync CRD uses, with the semantics CEL gives them
/// on the real API server. Any other rule is refused when the CRD loads, so the emulator never silently skips a rule:
/// <list type="bullet">
/// <item><c>duration(self) &gt;= duration('1m')</c> (also &gt;, &lt;=, &lt;): Go duration comparison;</item>
/// <item><c>(has(self.a) ? 1 : 0) + (has(self.b) ? 1 : 0) == N</c>: how many of the fields are set;</item>
/// <item><c>has(self.a) != has(self.b)</c>: exactly one of two fields is set;</item>
/// <item><c>!has(self.a)</c>: the field is not set.</item>
/// </list>
/// </summary>
public static partial class CelRules
{
    private static readonly ConcurrentDictionary<string, Func<JsonNode, bool>> Compiled = new();

    public static Func<JsonNode, bool> Compile(string rule) => Compiled.GetOrAdd(rule, CompileUncached);

    /// <summary>Evaluates a rule; false with passed=false when the value cannot be evaluated (a CEL runtime error).</summary>
    public static bool TryEvaluate(string rule, JsonNode self, out bool passed)
    {
        try
        {
            passed = Compile(rule)(self);
            return true;
        }
        catch (FormatException)
        {
            passed = false;
            return false;
        }
    }

    private static Func<JsonNode, bool> CompileUncached(string rule)
    {
        if (DurationComparison().Match(rule) is { Success: true } duration)
        {
            var op = duration.Groups[1].Value;
            var limit = ParseGoDuration(duration.Groups[2].Value);
            return self =>
            {
                var value = ParseGoDuration(self.GetValue<string>());
                return op switch { ">=" => value >= limit, ">" => value > limit, "<=" => value <= limit, _ => value < limit };
            };
        }

        if (CountOfSet().Match(rule) is { Success: true } count)
        {
            var fields = HasField().Matches(rule).Select(m => m.Groups[1].Value).ToList();
            var expected = int.Parse(count.Groups[1].Value, CultureInfo.InvariantCulture);
            return self => fields.Count(field => self[field] is not null) == expected;
        }

        if (ExactlyOneOfTwo().Match(rule) is { Success: true } pair)
        {
            var (first, second) = (pair.Groups[1].Value, pair.Groups[2].Value);
            return self => (self[first] is not null) != (self[second] is not null);
        }

        if (NotSet().Match(rule) is { Success: true } absent)
        {
            var field = absent.Groups[1].Value;
            return self => self[field] is null;
        }

        throw new NotSupportedException($"KubeApiEmulator cannot evaluate the CEL rule '{rule}'; teach CelRules its shape.");
    }

    /// <summary>Parses a Go duration ("1h30m", "90s", "1.5h") as time.ParseDuration does.</summary>
    public static TimeSpan ParseGoDuration(string text)
    {
        var parts = GoDurationPart().Matches(text);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)) != text)
        {
            throw new FormatException($"invalid duration \"{text}\"");
        }

        double ticks = 0;
        foreach (Match part in parts)
        {
            var amount = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            ticks += amount * part.Groups[2].Value switch
            {
                "ns" => 0.01,
                "us" or "µs" => TimeSpan.TicksPerMicrosecond,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                _ => TimeSpan.TicksPerHour,
            };
        }

        return TimeSpan.FromTicks((long)ticks);
    }

    [GeneratedRegex(@"^duration\(self\)\s*(>=|>|<=|<)\s*duration\('([^']+)'\)$")]
    private static partial Regex DurationComparison();

    [GeneratedRegex(@"^\(has\(self\.\w+\) \? 1 : 0\)(?: \+ \(has\(self\.\w+\) \? 1 : 0\))* == (\d+)$")]
    private static partial Regex CountOfSet();

    [GeneratedRegex(@"has\(self\.(\w+)\)")]
    private static partial Regex HasField();

    [GeneratedRegex(@"^has\(self\.(\w+)\) != has\(self\.(\w+)\)$")]
    private static partial Regex ExactlyOneOfTwo();

    [GeneratedRegex(@"^!has\(self\.(\w+)\)$")]
    private static partial Regex NotSet();

    [GeneratedRegex(@"([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)")]
    private static partial Regex GoDurationPart();
}
