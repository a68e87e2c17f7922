using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Cli.Manifests;

/// <summary>Reads the files `kubectl apply -f` would take: DirectorySyncs, and the Secrets and ConfigMaps they reference.
/// Other kinds are ignored. Unknown or mistyped fields are errors naming their path.</summary>
internal static partial class ManifestReader
{
    private const string DirectorySyncApiVersion = "directoryconnector.dev/v1alpha1";

    /// <summary>The largest manifest file read: the API server refuses request bodies over 3 MiB and etcd stores
    /// objects up to 1.5 MiB, so a bigger file is not something kubectl could apply either.</summary>
    public const long MaxFileBytes = 3 * 1024 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private static readonly string[] OurKinds = ["DirectorySync", "Secret", "ConfigMap"];
    private static readonly HashSet<string> DirectorySyncFields = ["apiVersion", "kind", "metadata", "spec", "status"];
    private static readonly HashSet<string> SecretFields = ["apiVersion", "kind", "metadata", "type", "data", "stringData", "immutable"];
    private static readonly HashSet<string> ConfigMapFields = ["apiVersion", "kind", "metadata", "data", "binaryData", "immutable"];

    /// <summary>The -f value that reads standard input, as with <c>kubectl apply -f -</c>.</summary>
    public const string StandardInput = "-";

    /// <summary>How standard input is named in messages; its relative file-source paths are relative to the working directory.</summary>
    public const string StandardInputName = "(stdin)";

    public static async Task<ManifestSet> ReadFilesAsync(IEnumerable<string> paths, SourceProviders providers, CancellationToken cancellationToken, Func<Stream>? standardInput = null)
    {
        var set = new ManifestSet();
        var problems = new List<string>();
        var readStandardInput = false;
        foreach (var path in ExpandDirectories(paths, problems))
        {
            string text;
            if (path == StandardInput)
            {
                if (readStandardInput)
                {
                    problems.Add("-f -: standard input is given twice; it can be read once");
                    continue;
                }

                readStandardInput = true;
                if (await ReadStandardInputAsync(standardInput ?? Console.OpenStandardInput, cancellationToken).ConfigureAwait(false) is not { } bytes)
                {
                    problems.Add($"{StandardInputName}: more than the {MaxFileBytes / (1024 * 1024)} MiB a manifest may have (the Kubernetes API server refuses bigger requests)");
                    continue;
                }

                try
                {
                    Read(TextFileDecoder.Decode(bytes), StandardInputName, set, providers);
                }
                catch (TextFileEncodingException e)
                {
                    problems.Add($"{StandardInputName}: {e.Message}");
                }
                catch (ManifestException e)
                {
                    problems.AddRange(e.Problems);
                }

                continue;
            }

            try
            {
                if (new FileInfo(path) is { Exists: true, Length: > MaxFileBytes } large)
                {
                    problems.Add($"{path}: {large.Length / (1024.0 * 1024):0.#} MiB is larger than the {MaxFileBytes / (1024 * 1024)} MiB a manifest may have "
                        + "(the Kubernetes API server refuses bigger requests); a large directory export belongs in a file source's path, not in a manifest");
                    continue;
                }

                text = TextFileDecoder.Decode(await File.ReadAllBytesAsync(path, cancellationToken).ConfigureAwait(false));
            }
            catch (TextFileEncodingException e)
            {
                problems.Add($"{path}: {e.Message}");
                continue;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                problems.Add($"{path}: cannot read the file: {e.Message}");
                continue;
            }

            try
            {
                Read(text, path, set, providers);
            }
            catch (ManifestException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        return problems.Count > 0 ? throw new ManifestException(problems) : set;
    }

    /// <summary>All of standard input, or null when it holds more than <see cref="MaxFileBytes"/>.</summary>
    private static async Task<byte[]?> ReadStandardInputAsync(Func<Stream> open, CancellationToken cancellationToken)
    {
        var input = open();
        await using (input.ConfigureAwait(false))
        {
            using var buffer = new MemoryStream();
            var chunk = new byte[81920];
            int read;
            while ((read = await input.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
            {
                buffer.Write(chunk, 0, read);
                if (buffer.Length > MaxFileBytes)
                {
                    return null;
                }
            }

            return buffer.ToArray();
        }
    }

    /// <summary>As <c>kubectl apply -f</c>: a directory stands for its .yaml, .yml and .json files (not its
    /// subdirectories), in name order.</summary>
    private static IEnumerable<string> ExpandDirectories(IEnumerable<string> paths, List<string> problems)
    {
        foreach (var path in paths)
        {
            if (path == StandardInput || !Directory.Exists(path))
            {
                yield return path;
                continue;
            }

            var files = Directory.EnumerateFiles(path)
                .Where(file => Path.GetExtension(file).ToUpperInvariant() is ".YAML" or ".YML" or ".JSON")
                .Order(StringComparer.Ordinal)
                .ToList();
            if (files.Count == 0)
            {
                problems.Add($"{path}: is a directory without .yaml, .yml or .json files; give the manifest files with -f");
            }

            foreach (var file in files)
            {
                yield return file;
            }
        }
    }

    /// <summary>Adds the documents of one file to <paramref name="set"/>. Relative file-source paths are resolved
    /// against the folder of <paramref name="fileName"/>.</summary>
    public static void Read(string yaml, string fileName, ManifestSet set, SourceProviders providers)
    {
        var problems = new List<string>();
        var documentNumber = 0;
        foreach (var document in YamlToJson.ReadDocuments(yaml, fileName))
        {
            documentNumber++;
            var where = $"{fileName}: document {documentNumber}";
            try
            {
                // kubectl get -o yaml writes several objects as one v1 List, and kubectl apply -f takes it back.
                if (document is JsonObject list && list["kind"] is JsonValue listKind && listKind.TryGetValue<string>(out var listKindText) && listKindText == "List"
                    && list["apiVersion"] is JsonValue listVersion && listVersion.TryGetValue<string>(out var listVersionText) && listVersionText == "v1")
                {
                    if (list["items"] is not (JsonArray or null))
                    {
                        throw new ManifestException($"{where}: items: expected a list of Kubernetes objects");
                    }

                    var itemNumber = 0;
                    foreach (var item in list["items"] as JsonArray ?? [])
                    {
                        try
                        {
                            ReadObject(item, fileName, $"{where}: items[{itemNumber++}]", set, providers);
                        }
                        catch (ManifestException e)
                        {
                            problems.AddRange(e.Problems);
                        }
                    }

                    continue;
                }

                ReadObject(document, fileName, where, set, providers);
            }
            catch (ManifestException e)
            {
                problems.AddRange(e.Problems);
            }
        }

        if (problems.Count > 0)
        {
            throw new ManifestException(problems);
        }
    }

    private static void ReadObject(JsonNode? document, string fileName, string where, ManifestSet set, SourceProviders providers)
    {
        if (document is not JsonObject obj)
        {
            throw new ManifestException($"{where}: expected a Kubernetes object (a mapping with apiVersion and kind)");
        }

        var kind = obj["kind"] is JsonValue k && k.TryGetValue<string>(out var kindText) ? kindText : null;
        var apiVersion = obj["apiVersion"] is JsonValue v && v.TryGetValue<string>(out var versionText) ? versionText : null;
        switch (kind)
        {
            case "DirectorySync":
                set.DirectorySyncs.Add(ReadDirectorySync(obj, apiVersion, fileName, where, providers));
                break;
            case "Secret" when apiVersion == "v1":
                set.Secrets.Add(ReadKeyValues(obj, "Secret", SecretFields, where, decodeBase64Data: true));
                break;
            case "ConfigMap" when apiVersion == "v1":
                set.ConfigMaps.Add(ReadKeyValues(obj, "ConfigMap", ConfigMapFields, where, decodeBase64Data: false));
                break;
            case "Secret" or "ConfigMap":
                throw new ManifestException($"{where}: apiVersion: \"{apiVersion}\" is not v1 ({kind}s are v1)");
            case null:
                throw new ManifestException($"{where}: kind: is required");
            default:
                // Other resources in the same files (Namespaces, RBAC, ...) are not ours to read, but a
                // misspelt kind of ours would be skipped silently and reported as missing.
                if (MisspeltKind(kind, apiVersion) is { } meant)
                {
                    throw new ManifestException($"{where}: kind: \"{kind}\" is not a kind: did you mean {meant}? (other kinds are ignored)");
                }

                break;
        }
    }

    private static string? MisspeltKind(string kind, string? apiVersion)
    {
        if (apiVersion?.StartsWith("directoryconnector.dev/", StringComparison.Ordinal) == true)
        {
            return "DirectorySync";
        }

        var singular = kind.EndsWith('s') ? kind[..^1] : kind;
        return OurKinds.FirstOrDefault(ours => string.Equals(ours, singular, StringComparison.OrdinalIgnoreCase)
            || string.Equals(ours, kind, StringComparison.OrdinalIgnoreCase))
            // A typo (Secrett, Secert, ConfigMpa): no kind of the core v1 API is within two edits of ours.
            ?? (apiVersion is null or "v1" ? OurKinds.FirstOrDefault(ours => EditDistance(kind.ToUpperInvariant(), ours.ToUpperInvariant()) <= 2) : null);
    }

    /// <summary>Levenshtein distance (insertions, deletions, substitutions) of two short strings.</summary>
    internal static int EditDistance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }

    private static DirectorySyncManifest ReadDirectorySync(JsonObject obj, string? apiVersion, string fileName, string where, SourceProviders providers)
    {
        if (apiVersion != DirectorySyncApiVersion)
        {
            throw new ManifestException($"{where}: apiVersion: \"{apiVersion}\" is not {DirectorySyncApiVersion}");
        }

        RejectUnknownFields(obj, DirectorySyncFields, "", where);
        var (name, ns) = ReadMetadata(obj, where);
        where = $"{fileName} (DirectorySync {name})";
        if (obj["spec"] is not JsonObject specNode)
        {
            throw new ManifestException($"{where}: spec: is required");
        }

        DirectorySyncSpec spec;
        try
        {
            spec = specNode.Deserialize(ManifestJsonContext.Default.DirectorySyncSpec)
                ?? throw new ManifestException($"{where}: spec: is required");
        }
        catch (JsonException e)
        {
            throw new ManifestException($"{where}: {DescribeJsonError(e, specNode)}");
        }

        // Paths in a source spec are relative to the manifest, so the same files work from any working directory.
        providers.ResolveRelativePaths(spec.Source, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(fileName)) ?? Directory.GetCurrentDirectory());

        return new DirectorySyncManifest(name, ns, spec, fileName);
    }

    private static KeyValueManifest ReadKeyValues(JsonObject obj, string kind, HashSet<string> allowedFields, string where, bool decodeBase64Data)
    {
        RejectUnknownFields(obj, allowedFields, "", where);
        var (name, ns) = ReadMetadata(obj, where);
        where = $"{where} ({kind} {name})";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, node) in ReadStringMap(obj, "data", where))
        {
            if (!decodeBase64Data)
            {
                values[key] = node;
                continue;
            }

            try
            {
                values[key] = StrictUtf8.GetString(Convert.FromBase64String(node));
            }
            catch (FormatException)
            {
                // Never echo the value: it is a secret.
                throw new ManifestException($"{where}: data.{key}: is not base64; put plain text under stringData instead");
            }
            catch (DecoderFallbackException)
            {
                // Every value read is text (passwords, PEM, JSON keys): replacement characters would make a password
                // that the server refuses without saying why.
                throw new ManifestException($"{where}: data.{key}: decodes to bytes that are not UTF-8 text; base64-encode the UTF-8 text (or use stringData)");
            }
        }

        if (decodeBase64Data)
        {
            // As the API server does: stringData wins over data for the same key.
            foreach (var (key, value) in ReadStringMap(obj, "stringData", where))
            {
                values[key] = value;
            }
        }

        return new KeyValueManifest(kind, name, ns, values);
    }

    private static IEnumerable<(string Key, string Value)> ReadStringMap(JsonObject obj, string field, string where)
    {
        switch (obj[field])
        {
            case null:
                yield break;
            case JsonObject map:
                foreach (var (key, node) in map)
                {
                    if (node is JsonValue value && value.TryGetValue<string>(out var text))
                    {
                        yield return (key, text);
                    }
                    else
                    {
                        throw new ManifestException(node is JsonArray or JsonObject
                            ? $"{where}: {field}.{key}: expected a string, not {Written(node)}; write the value on one line, or as a YAML block (|)"
                            : $"{where}: {field}.{key}: expected a string, not {Written(node)}; quote the value");
                    }
                }

                break;
            case var other:
                throw new ManifestException($"{where}: {field}: expected a mapping of keys to strings, not {Written(other)}");
        }
    }

    private static (string Name, string? Namespace) ReadMetadata(JsonObject obj, string where)
    {
        if (obj["metadata"] is not JsonObject metadata)
        {
            throw new ManifestException($"{where}: metadata.name: is required");
        }

        var name = metadata["name"] is JsonValue n && n.TryGetValue<string>(out var nameText) && nameText.Length > 0
            ? nameText
            : throw new ManifestException($"{where}: metadata.name: is required");
        var ns = metadata["namespace"] is JsonValue s && s.TryGetValue<string>(out var nsText) && nsText.Length > 0 ? nsText : null;

        // What the API server would refuse at apply time, refused here too, so a manifest the CLI runs also applies.
        if (name.Length > 253 || !ObjectName().IsMatch(name))
        {
            throw new ManifestException($"{where}: metadata.name: \"{name}\" is not a name Kubernetes accepts: use at most 253 lower-case letters, digits, '-' and '.', starting and ending with a letter or digit (a DNS-1123 subdomain)");
        }

        if (ns is not null && (ns.Length > 63 || !NamespaceName().IsMatch(ns)))
        {
            throw new ManifestException($"{where}: metadata.namespace: \"{ns}\" is not a namespace name Kubernetes accepts: use at most 63 lower-case letters, digits and '-', starting and ending with a letter or digit (a DNS-1123 label)");
        }

        return (name, ns);
    }

    /// <summary>Object names: DNS-1123 subdomains (https://kubernetes.io/docs/concepts/overview/working-with-objects/names/).</summary>
    [GeneratedRegex(SpecPatterns.ObjectName)]
    private static partial Regex ObjectName();

    /// <summary>Namespace names: DNS-1123 labels (same page).</summary>
    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex NamespaceName();

    private static void RejectUnknownFields(JsonObject obj, HashSet<string> allowed, string path, string where)
    {
        foreach (var (key, _) in obj)
        {
            if (!allowed.Contains(key))
            {
                throw new ManifestException($"{where}: {path}{key}: unknown field");
            }
        }
    }

    /// <summary>Turns System.Text.Json's message into "spec.field: what is wrong", without .NET type names. A value of
    /// the wrong type says what the field expects and what was written there (looked up in <paramref name="spec"/>,
    /// the spec as read), since System.Text.Json's message does not say which token it met.</summary>
    internal static string DescribeJsonError(JsonException e, JsonNode? spec = null)
    {
        var path = e.Path is { Length: > 1 } jsonPath ? "spec" + jsonPath[1..] : "spec";
        var message = e.Message;
        if (UnmappedProperty().Match(message) is { Success: true } unmapped)
        {
            // The reported path stops at the object that holds the unknown property.
            return $"{(path.EndsWith("." + unmapped.Groups[1].Value, StringComparison.Ordinal) ? path : $"{path}.{unmapped.Groups[1].Value}")}: unknown field";
        }

        if (message.Contains("doesn't allow setting null values", StringComparison.Ordinal)
            || message.Contains("null value", StringComparison.OrdinalIgnoreCase))
        {
            return $"{path}: must not be null";
        }

        if (ConvertedTo().Match(message) is { Success: true } conversion)
        {
            JsonNode? node = null;
            var written = spec is not null && TryFind(spec, e.Path, out node) ? Written(node) : null;
            if (IsDuration(path))
            {
                // A bare number (interval: 15): the original connector counted minutes, this spec does not guess.
                return $"{path}: expected a duration such as 15m or 1h30m{written switch
                {
                    null => "",
                    "a number" => ", not a number (a number has no unit: write 15m, not 15)",
                    _ => $", not {written}",
                }}";
            }

            var expected = ExpectedValue(conversion.Groups[1].Value);
            if (written is null || (written == "a string" && expected.StartsWith("one of", StringComparison.Ordinal)))
            {
                return $"{path}: expected {expected}";
            }

            // "636" or "true" in quotes is a string to YAML (and to the API server).
            var quotedScalar = node is JsonValue text && text.TryGetValue<string>(out var value)
                && ((expected == "an integer" && long.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out _)) || (expected == "true or false" && value is "true" or "false"));
            return $"{path}: expected {expected}, not {written}{(quotedScalar ? ": remove the quotes" : "")}";
        }

        return $"{path}: {message}";
    }

    /// <summary>What a YAML value is, in the words of the errors: "a list", "a mapping", "a number", ...</summary>
    internal static string Written(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonObject => "a mapping",
        _ => node.GetValueKind() switch
        {
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            JsonValueKind.String => "a string",
            _ => "null",
        },
    };

    /// <summary>The node at a System.Text.Json path ($.a.b[0], $['a.b']) below <paramref name="root"/>.</summary>
    private static bool TryFind(JsonNode root, string? path, out JsonNode? node)
    {
        node = root;
        if (path is null || !path.StartsWith('$'))
        {
            return false;
        }

        foreach (Match segment in PathSegment().Matches(path[1..]))
        {
            if (segment.Groups["index"].Success)
            {
                if (node is not JsonArray array || !int.TryParse(segment.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture, out var index) || index >= array.Count)
                {
                    return false;
                }

                node = array[index];
                continue;
            }

            var name = segment.Groups["name"].Success ? segment.Groups["name"].Value : segment.Groups["quoted"].Value;
            if (node is not JsonObject obj || !obj.TryGetPropertyValue(name, out node))
            {
                return false;
            }
        }

        return true;
    }

    [GeneratedRegex(@"\.(?<name>[^.\[]+)|\['(?<quoted>[^']*)'\]|\[(?<index>\d+)\]")]
    private static partial Regex PathSegment();

    /// <summary>Whether the spec field at <paramref name="path"/> (spec.a.b) is a duration string.</summary>
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The walk only meets "
        + "DirectorySyncSpec and the types of its properties, in DirectoryConnector.Engine, an assembly the AOT publish roots "
        + "(TrimmerRootAssembly), so their public properties are kept.")]
    private static bool IsDuration(string path)
    {
        var type = typeof(DirectorySyncSpec);
        System.Reflection.PropertyInfo? property = null;
        foreach (var name in path.Split('.').Skip(1))
        {
            property = type.GetProperties().FirstOrDefault(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name) == name);
            if (property is null)
            {
                return false;
            }

            type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        }

        return property?.GetCustomAttributes(typeof(System.ComponentModel.DataAnnotations.RegularExpressionAttribute), inherit: false)
            .Cast<System.ComponentModel.DataAnnotations.RegularExpressionAttribute>().Any(a => a.Pattern == DurationFormat.Pattern) == true;
    }

    private static string ExpectedValue(string typeName)
    {
        var type = typeName.TrimEnd('.').Replace("System.Nullable`1[", "", StringComparison.Ordinal).TrimEnd(']');
        return type switch
        {
            "System.Int32" or "System.Int64" => "an integer",
            "System.Boolean" => "true or false",
            "System.String" => "a string",
            _ when type.EndsWith(nameof(LdapEncryption), StringComparison.Ordinal) => "one of none, startTls, ldaps",
            _ when type.EndsWith(nameof(FileFormat), StringComparison.Ordinal) => "one of ldif, json",
            _ => "a mapping",
        };
    }

    [GeneratedRegex("The JSON property '([^']+)' could not be mapped")]
    private static partial Regex UnmappedProperty();

    [GeneratedRegex(@"could not be converted to ([\w.`\[\]]+)")]
    private static partial Regex ConvertedTo();
}
