using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// Evaluates x-kubernetes-validations rules with a CEL implementation (the Cel package, github.com/telus-oss/cel-net,
/// after the cel-spec), as the API server does with cel-go: <c>self</c> is the value the rule sits on, objects are maps
/// (so <c>has(self.field)</c> tests presence), integers are int64, and <c>duration()</c> parses Go duration strings. A
/// rule that does not compile refuses the CRD when it loads, as the server refuses such a CRD.
/// </summary>
public static class CelRules
{
    private static readonly ConcurrentDictionary<string, Func<JsonNode, bool>> Compiled = new();
    private static readonly Lock CompileLock = new();
    private static readonly CelEnvironment Environment = new(null, null);

    /// <summary>The rule as a predicate on <c>self</c>; throws <see cref="NotSupportedException"/> when it does not compile,
    /// and <see cref="CelException"/> from the predicate when evaluation fails (no such field, a bad duration, ...).</summary>
    public static Func<JsonNode, bool> Compile(string rule) => Compiled.GetOrAdd(rule, CompileUncached);

    /// <summary>Evaluates a rule; false with passed=false when the value cannot be evaluated (a CEL runtime error).</summary>
    public static bool TryEvaluate(string rule, JsonNode self, out bool passed)
    {
        try
        {
            passed = Compile(rule)(self);
            return true;
        }
        catch (CelException)
        {
            passed = false;
            return false;
        }
    }

    private static Func<JsonNode, bool> CompileUncached(string rule)
    {
        CelProgramDelegate program;
        try
        {
            lock (CompileLock)
            {
                program = Environment.Compile(rule);
            }
        }
        catch (CelException error)
        {
            throw new NotSupportedException($"the x-kubernetes-validations rule '{rule}' does not compile: {error.Message}", error);
        }

        return self => program(new Dictionary<string, object?> { ["self"] = ToCel(self) }) is bool result
            ? result
            : throw new CelNoSuchOverloadException($"the rule '{rule}' does not evaluate to a bool");
    }

    // JSON as CEL sees a structural value: objects as maps, arrays as lists, integers as int64, other numbers as double.
    private static object? ToCel(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => ToCel(p.Value), StringComparer.Ordinal),
        JsonArray array => array.Select(ToCel).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.String => value.GetValue<string>(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when long.TryParse(value.ToJsonString(), System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer) => integer,
            JsonValueKind.Number => value.GetValue<double>(),
            _ => null,
        },
        _ => null,
    };
}
