using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Sets keys of one user's <c>auth-provider.config</c> in a kubeconfig's text by splicing only those values, so the rest
/// of the file (comments, order, quoting, other entries) stays as its owner wrote it. client-go's persister rewrites
/// the whole file in its own layout instead; the keys and values written are the same.
/// </summary>
internal static partial class KubeconfigAuthProviderEditor
{
    /// <summary>The edited text, or null with <paramref name="reason"/> (no value in it) when the file cannot be edited
    /// safely. Throws YamlDotNet's YamlException when the text is not YAML.</summary>
    public static string? SetConfigValues(string text, string user, IReadOnlyList<KeyValuePair<string, string>> values, out string reason)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        reason = "";
        if (stream.Documents.Count != 1 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            reason = "it is not one YAML mapping";
            return null;
        }

        var users = Child(root, "users") as YamlSequenceNode;
        var entry = users?.Children.OfType<YamlMappingNode>()
            .FirstOrDefault(u => Child(u, "name") is YamlScalarNode { Value: var name } && name == user);
        if (users is null || entry is null)
        {
            reason = $"it no longer defines users[{user}]";
            return null;
        }

        var details = Child(entry, "user") as YamlMappingNode;
        var provider = Child(details, "auth-provider") as YamlMappingNode;
        if (provider is null || Child(provider, "name") is not YamlScalarNode { Value: "oidc" } || Child(provider, "config") is not YamlMappingNode config)
        {
            reason = $"users[{user}].user.auth-provider is no longer an oidc auth-provider with a config mapping";
            return null;
        }

        // An alias (*anchor) stands for a node defined earlier in the file, which other entries may share: only a
        // mapping written in place is edited. The node of an alias starts before the alias.
        if (Aliased(root, "users") || entry.Start.Index < users.Start.Index || Aliased(entry, "user") || Aliased(details, "auth-provider") || Aliased(provider, "config"))
        {
            reason = $"users[{user}].user.auth-provider.config is, or is inside, an alias of a node defined elsewhere in the file";
            return null;
        }

        var flow = config.Style == YamlDotNet.Core.Events.MappingStyle.Flow;
        var newline = text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var edits = new List<(int Start, int End, string Text)>();
        foreach (var (key, value) in values)
        {
            var pair = config.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key);
            if (pair.Key is not null)
            {
                if (pair.Value is not YamlScalarNode scalar)
                {
                    reason = $"users[{user}].user.auth-provider.config.{key} is not a string";
                    return null;
                }

                if (scalar.Value == value)
                {
                    continue;
                }

                if (scalar.Start.Index == scalar.End.Index)
                {
                    // "key:" with no value: the value goes after the colon.
                    var colon = text.IndexOf(':', (int)pair.Key.End.Index);
                    edits.Add((colon + 1, colon + 1, " " + Scalar(value)));
                }
                else
                {
                    var block = scalar.Style is YamlDotNet.Core.ScalarStyle.Literal or YamlDotNet.Core.ScalarStyle.Folded;
                    var (start, end) = ((int)scalar.Start.Index, (int)scalar.End.Index);
                    edits.Add((start, end, Scalar(value) + (block && text[start..end].EndsWith('\n') ? newline : "")));
                }
            }
            else if (flow)
            {
                // YamlDotNet marks where a mapping starts, not where it ends: the brace after the last value closes it.
                var close = Closing(text, config.Children.Count == 0 ? (int)config.Start.Index + 1 : (int)config.Children.Last().Value.End.Index);
                if (close < 0 || (config.Children.Count > 0 && config.Children.Last().Value is not YamlScalarNode))
                {
                    reason = $"users[{user}].user.auth-provider.config could not be edited";
                    return null;
                }

                edits.Add((close, close, (config.Children.Count > 0 ? ", " : "") + $"{key}: {Scalar(value)}"));
            }
            else
            {
                // A new last line of the block mapping, indented as its first key.
                var last = config.Children.Last();
                if (last.Value is not YamlScalarNode)
                {
                    reason = $"users[{user}].user.auth-provider.config could not be edited";
                    return null;
                }

                var indent = new string(' ', (int)config.Children.First().Key.Start.Column - 1);
                var lineEnd = text.IndexOf('\n', (int)last.Value.End.Index);
                edits.Add(lineEnd < 0
                    ? (text.Length, text.Length, $"{newline}{indent}{key}: {Scalar(value)}")
                    : (lineEnd + 1, lineEnd + 1, $"{indent}{key}: {Scalar(value)}{newline}"));
            }
        }

        var edited = text;
        // From the end, so earlier offsets stay valid; at one offset, the first added ends up first.
        foreach (var edit in edits.Select((edit, order) => (edit, order)).OrderByDescending(e => e.edit.Start).ThenByDescending(e => e.order).Select(e => e.edit))
        {
            edited = string.Concat(edited.AsSpan(0, edit.Start), edit.Text, edited.AsSpan(edit.End));
        }

        return edited;
    }

    private static YamlNode? Child(YamlMappingNode? mapping, string key) =>
        mapping?.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key).Value;

    private static bool Aliased(YamlMappingNode? mapping, string key)
    {
        var pair = mapping?.Children.FirstOrDefault(p => p.Key is YamlScalarNode { Value: var k } && k == key);
        return pair is { Key: { } name, Value: { } value } && value.Start.Index < name.End.Index;
    }

    // The offset of the '}' that follows from, past blanks, commas and comments; -1 when something else comes first.
    private static int Closing(string text, int from)
    {
        for (var i = from; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '}':
                    return i;
                case ' ' or '\t' or '\r' or '\n' or ',':
                    continue;
                case '#':
                    var end = text.IndexOf('\n', i);
                    if (end < 0)
                    {
                        return -1;
                    }

                    i = end;
                    continue;
                default:
                    return -1;
            }
        }

        return -1;
    }

    // Plain when it is unmistakably a string (a JWT or an opaque token; none of its characters is special in block or
    // flow context); else double-quoted, whose escapes include JSON's.
    private static string Scalar(string value) =>
        PlainToken().IsMatch(value) && !ReadAsOtherType().IsMatch(value) ? value : $"\"{JsonEncodedText.Encode(value)}\"";

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9._~+/=-]*$")]
    private static partial Regex PlainToken();

    // YAML 1.1 booleans and null, which some readers would not take as strings.
    [GeneratedRegex("^(y|n|yes|no|on|off|true|false|null)$", RegexOptions.IgnoreCase)]
    private static partial Regex ReadAsOtherType();
}
