using System.Diagnostics;

namespace DirectoryConnector.TestSupport.Tools;

/// <summary>
/// The real tools the shipping checks run, as tests/run.sh installs them: helm and kubectl in .tools/bin
/// (tests/tools/install-kube-tools.sh), kubernetes-models in .tools/node (tests/tools/install-kube-models.sh),
/// promtool, prometheus, lua5.1 and node from Debian.
/// </summary>
public static class ExternalTool
{
    public static string Helm => Path.Combine(Repository.Root, ".tools", "bin", "helm");

    public static string Kubectl => Path.Combine(Repository.Root, ".tools", "bin", "kubectl");

    public static string NodeModulesRoot => Path.Combine(Repository.Root, ".tools", "node");

    public static string ChartDirectory => Path.Combine(Repository.Root, "charts", "directory-connector-operator");

    /// <summary>Where the tool is, or null when it is not installed.</summary>
    public static string? Find(string tool) => tool switch
    {
        "helm" => File.Exists(Helm) ? Helm : null,
        "kubectl" => File.Exists(Kubectl) ? Kubectl : null,
        "kubernetes-models" => Directory.Exists(Path.Combine(NodeModulesRoot, "node_modules", "kubernetes-models")) ? NodeModulesRoot : null,
        _ => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(folder => Path.Combine(folder, tool)).FirstOrDefault(File.Exists),
    };

    public static string Require(string tool) =>
        Find(tool) ?? throw new InvalidOperationException($"{tool} is not installed: run bash tests/run.sh (it installs it).");

    public static async Task<ToolResult> RunAsync(string executable, IEnumerable<string> args, string? workingDirectory = null, string? standardInput = null)
    {
        var start = new ProcessStartInfo(executable)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = standardInput is not null,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (standardInput is not null)
        {
            await process.StandardInput.WriteAsync(standardInput);
            process.StandardInput.Close();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new ToolResult(process.ExitCode, await output, await error);
    }
}
