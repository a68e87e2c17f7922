using System.Diagnostics;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;

namespace DirectoryConnector.Operator.Tests.Emulator;

/// <summary>Runs .tools/bin/kubectl with a kubeconfig pointing at the emulator.</summary>
internal sealed class Kubectl : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("kubectl-test-").FullName;
    private readonly string _kubeconfig;

    public Kubectl(KubeApiEmulator emulator)
    {
        File.Exists(KubectlFactAttribute.KubectlPath).Should().BeTrue(
            $"kubectl must be installed at {KubectlFactAttribute.KubectlPath}: run {KubectlFactAttribute.InstallScript}");
        _kubeconfig = WriteManifest("kubeconfig", emulator.KubeconfigYaml());
    }

    public string WriteManifest(string name, string text)
    {
        var path = Path.Combine(_directory, name);
        File.WriteAllText(path, text);
        return path;
    }

    public async Task<string> RunAsync(params string[] args)
    {
        var (code, stdout, stderr) = await ExecuteAsync(args);
        code.Should().Be(0, $"kubectl {string.Join(' ', args)} failed: {stderr}");
        return stdout;
    }

    public async Task<string> FailAsync(params string[] args)
    {
        var (code, _, stderr) = await ExecuteAsync(args);
        code.Should().NotBe(0, $"kubectl {string.Join(' ', args)} should fail");
        return stderr;
    }

    private async Task<(int Code, string Stdout, string Stderr)> ExecuteAsync(string[] args)
    {
        var start = new ProcessStartInfo(KubectlFactAttribute.KubectlPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args.Append("--kubeconfig").Append(_kubeconfig))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
