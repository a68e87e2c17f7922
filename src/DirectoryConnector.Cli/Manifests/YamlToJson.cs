using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>Converts YAML documents to JSON nodes the way Kubernetes reads manifests: quoted scalars are strings,
/// plain scalars are typed by the YAML 1.2 core schema (null, true/false, integers, floats, else strings).</summary>
internal static partial class YamlToJson
{
    private const string StringTag = "tag:yaml.org,2002:str";

    /// <summary>The most values (scalars, mappings, sequences) one file may expand to once aliases are resolved. YAML
    /// aliases repeat anchored content, so a few lines can stand for billions of values (the "billion laughs" alias
    /// bomb); kubectl's YAML library refuses such documents too ("excessive aliasing"). Real manifests stay far below.</summary>
    public const long MaxValues = 100_000;

    /// <summary>The deepest nesting of mappings and sequences accepted (a DirectorySync is about 6 levels deep).</summary>
    public const int MaxDepth = 100;

    /// <summary>Every non-empty document of a (multi-document) YAML text.</summary>
    /// <exception cref="ManifestException">The text is not valid YAML; the message gives the line and column.</exception>
    public static IReadOnlyList<JsonNode> ReadDocuments(string yaml, string fileName)
    {
        var stream = new YamlStream();
        try
        {
            CheckExpansion(yaml, fileName);
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            // YamlDotNet marks a tab in the indentation at the start of the enclosing mapping (line 1 for a manifest):
            // point at the tab instead.
            var message = InnermostMessage(e);
            if (message.Contains("tab as indentation", StringComparison.Ordinal) && FirstTabIndentedLine(yaml) is { } tab)
            {
                throw new ManifestException($"{fileName}: line {tab.Line}, column {tab.Column}: not valid YAML: the line is indented with a tab; YAML indents with spaces only");
            }

            throw new ManifestException($"{fileName}: line {e.Start.Line}, column {e.Start.Column}: not valid YAML: {WithoutQuotes(message)}");
        }

        var documents = new List<JsonNode>();
        foreach (var document in stream.Documents)
        {
            if (Convert(document.RootNode, "", fileName) is { } node)
            {
                documents.Add(node);
            }
        }

        return documents;
    }

    /// <summary>Measures what the YAML expands to, from the parser's events and before building any node: the size
    /// of each anchored node is counted once and added again for each alias, so the check takes time and memory in
    /// proportion to the text, not to the expansion.</summary>
    private static void CheckExpansion(string yaml, string fileName)
    {
        var parser = new Parser(new StringReader(yaml));
        var anchors = new Dictionary<string, long>(StringComparer.Ordinal);
        // One frame per open mapping or sequence: its anchor (if any) and the values counted inside it so far.
        var open = new Stack<(string? Anchor, long Values)>();
        long total = 0;
        void Count(long values, Mark at)
        {
            if (open.Count > 0)
            {
                var (anchor, inside) = open.Pop();
                open.Push((anchor, inside + values));
            }

            total += values;
            if (total > MaxValues)
            {
                throw new ManifestException($"{fileName}: line {at.Line}: the YAML expands to more than {MaxValues:N0} values once its aliases (*name) are resolved: "
                    + "this is not a Kubernetes manifest (an alias bomb?); write the values out or use fewer aliases");
            }
        }

        var last = Mark.Empty;
        while (MoveNext(parser, fileName, last))
        {
            last = parser.Current!.End;
            switch (parser.Current)
            {
                case DocumentStart:
                    anchors.Clear();
                    break;
                case AnchorAlias alias:
                    Count(anchors.TryGetValue(alias.Value.Value, out var size)
                        ? size
                        : throw new ManifestException($"{fileName}: line {alias.Start.Line}, column {alias.Start.Column}: not valid YAML: an alias (*name) refers to no anchor (&name) before it"), alias.Start);
                    break;
                case Scalar scalar:
                    Count(1, scalar.Start);
                    if (!scalar.Anchor.IsEmpty)
                    {
                        anchors[scalar.Anchor.Value] = 1;
                    }

                    break;
                case NodeEvent start when start is MappingStart or SequenceStart:
                    Count(1, start.Start);
                    if (open.Count >= MaxDepth)
                    {
                        throw new ManifestException($"{fileName}: line {start.Start.Line}: mappings and sequences nest more than {MaxDepth} levels deep: this is not a Kubernetes manifest");
                    }

                    open.Push((start.Anchor.IsEmpty ? null : start.Anchor.Value, 1));
                    break;
                case MappingEnd or SequenceEnd:
                    var (closed, values) = open.Pop();
                    if (closed is not null)
                    {
                        anchors[closed] = values;
                    }

                    // The node itself was counted when it opened; what it holds joins its parent now.
                    if (open.Count > 0)
                    {
                        var (parentAnchor, parentValues) = open.Pop();
                        open.Push((parentAnchor, parentValues + values - 1));
                    }

                    break;
            }
        }
    }

    // YamlDotNet's scanner throws InvalidOperationException (not a YamlException) on some unterminated flow
    // collections, e.g. "interval: [15m" followed by more keys: still bad input, reported where reading stopped.
    private static bool MoveNext(Parser parser, string fileName, Mark last)
    {
        try
        {
            return parser.MoveNext();
        }
        catch (InvalidOperationException)
        {
            throw new ManifestException($"{fileName}: line {last.Line}, column {last.Column}: not valid YAML after this point: check for an unclosed [ or {{ or quote");
        }
    }

    private static JsonNode? Convert(YamlNode node, string path, string fileName)
    {
        switch (node)
        {
            case YamlMappingNode mapping:
                var obj = new JsonObject();
                foreach (var (keyNode, valueNode) in mapping.Children)
                {
                    if (keyNode is not YamlScalarNode { Value: { } key })
                    {
                        throw new ManifestException($"{fileName}: line {keyNode.Start.Line}: {PathOrRoot(path)}: keys must be plain strings");
                    }

                    var childPath = path.Length == 0 ? key : $"{path}.{key}";
                    if (obj.ContainsKey(key))
                    {
                        throw new ManifestException($"{fileName}: line {keyNode.Start.Line}: {childPath}: duplicate key");
                    }

                    obj[key] = Convert(valueNode, childPath, fileName);
                }

                return obj;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                var index = 0;
                foreach (var item in sequence.Children)
                {
                    array.Add(Convert(item, $"{path}[{index++}]", fileName));
                }

                return array;
            case YamlScalarNode scalar:
                return ConvertScalar(scalar);
            default:
                throw new ManifestException($"{fileName}: line {node.Start.Line}: {PathOrRoot(path)}: unsupported YAML node");
        }
    }

    private static JsonValue? ConvertScalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsEmpty && scalar.Tag.Value == StringTag))
        {
            return JsonValue.Create(value);
        }

        switch (value)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE":
                return JsonValue.Create(false);
        }

        if (DecimalInteger().IsMatch(value) && long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return JsonValue.Create(integer);
        }

        if (value.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(value.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (Float().IsMatch(value) && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(value);
    }

    /// <summary>The first line indented with a tab (1-based line and column of the tab), or null. A line starting with
    /// a tab comes first: a tab after spaces can be valid (inside a block scalar), one at the start of a line cannot.</summary>
    private static (int Line, int Column)? FirstTabIndentedLine(string yaml)
    {
        var lines = yaml.Split('\n');
        foreach (var atStartOnly in new[] { true, false })
        {
            for (var i = 0; i < lines.Length; i++)
            {
                var line = lines[i].TrimEnd('\r');
                var indentation = line.Length - line.TrimStart(' ', '\t').Length;
                var tab = line.IndexOf('\t', 0, indentation);
                if (tab >= 0 && indentation < line.Length && (tab == 0 || !atStartOnly))
                {
                    return (i + 1, tab + 1);
                }
            }
        }

        return null;
    }

    private static string PathOrRoot(string path) => path.Length == 0 ? "(document)" : path;

    // YamlDotNet quotes what it found ("found 'x'", an anchor's name); a broken Secret line must not end up on a
    // terminal or in CI logs, so quoted text longer than one character (a single syntax character is harmless) is dropped.
    private static string WithoutQuotes(string message) => QuotedText().Replace(message, "(…)");

    [GeneratedRegex("'[^']{2,}'")]
    private static partial Regex QuotedText();

    private static string InnermostMessage(Exception e)
    {
        while (e.InnerException is not null)
        {
            e = e.InnerException;
        }

        return e.Message;
    }

    [GeneratedRegex("^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();
}
