using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Cli.Tests.EndToEnd;
using DirectoryConnector.TestSupport;

namespace DirectoryConnector.Cli.Tests.Migration;

/// <summary>Runs <c>convert-bwdc</c> on a data.json into a temporary folder, and reads the manifests back the way
/// <c>test</c> and <c>sync</c> read them (strictly: a misnamed field fails there).</summary>
internal sealed class ConvertedManifests : IDisposable
{
    private ConvertedManifests(string folder, CliResult result)
    {
        Folder = folder;
        Result = result;
    }

    public string Folder { get; }

    public CliResult Result { get; }

    public string ManifestPath => Path.Combine(Folder, "directorysync.yaml");

    public string Yaml => File.ReadAllText(ManifestPath);

    /// <summary>The data.json files committed under Migration/data (our own settings, one per directory type).</summary>
    public static string Committed(string fileName) =>
        Path.Combine(Repository.Root, "tests", "DirectoryConnector.Cli.Tests", "Migration", "data", fileName);

    public static async Task<ConvertedManifests> ConvertAsync(string dataJsonPath, params string[] options)
    {
        var folder = Directory.CreateTempSubdirectory("dc-bwdc-").FullName;
        var result = await CliRunner.RunAsync(["convert-bwdc", dataJsonPath, "-o", Path.Combine(folder, "directorysync.yaml"), .. options]);
        return new ConvertedManifests(folder, result);
    }

    /// <summary>Converts data.json text written by the test.</summary>
    public static async Task<ConvertedManifests> ConvertTextAsync(string dataJson, params string[] options)
    {
        var input = Path.Combine(Path.GetTempPath(), $"bwdc-{Guid.NewGuid():N}.data.json");
        await File.WriteAllTextAsync(input, dataJson);
        try
        {
            return await ConvertAsync(input, options);
        }
        finally
        {
            File.Delete(input);
        }
    }

    public async Task<ManifestSet> ReadAsync() =>
        await ManifestReader.ReadFilesAsync([ManifestPath], EngineServices.Providers, CancellationToken.None);

    /// <summary>Replaces a placeholder as the administrator would, with the real value.</summary>
    public void Fill(string placeholder, string value)
    {
        var yaml = Yaml;
        if (!yaml.Contains(placeholder, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The converted manifests hold no placeholder {placeholder}:\n{yaml}");
        }

        File.WriteAllText(ManifestPath, yaml.Replace(placeholder, value, StringComparison.Ordinal));
    }

    /// <summary>What a user behind a TLS-inspecting proxy (or a sovereign cloud) adds to a converted source: fields
    /// before the line <paramref name="beforeLine"/> of spec.source.&lt;kind&gt;, and a caSecretRef to Secret test-ca
    /// holding <paramref name="caPem"/> (the stand-ins' certificates come from a test CA).</summary>
    public void TrustTestCa(string beforeLine, string caPem, string namespaceName, params string[] fields)
    {
        var indent = new string(' ', beforeLine.Length - beforeLine.TrimStart().Length);
        var added = string.Concat(fields.Append("caSecretRef: {name: test-ca, key: ca.crt}").Select(field => $"{indent}{field}\n"));
        Fill(beforeLine + "\n", added + beforeLine + "\n");
        var indentedCa = string.Join("\n", caPem.Trim().Split('\n').Select(line => "    " + line.TrimEnd('\r')));
        File.AppendAllText(ManifestPath, $"---\napiVersion: v1\nkind: Secret\nmetadata: {{name: test-ca, namespace: {namespaceName}}}\nstringData:\n  ca.crt: |\n{indentedCa}\n");
    }

    public void Dispose() => Directory.Delete(Folder, recursive: true);
}
