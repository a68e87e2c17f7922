using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.TestSupport.Logging;
using FluentAssertions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;
using static DirectoryConnector.Operator.Tests.EndToEnd.OperatorEnvironment;

namespace DirectoryConnector.Operator.Tests.EndToEnd;

/// <summary>Issue 15's first hole through the running operator: spec.source.file.path pointed at a file of the
/// operator's pod. The CRD refuses it at admission; where an older CRD without that rule is installed, the operator
/// itself refuses it without reading the file, and nothing of the file reaches status, events or logs.</summary>
public sealed class HardeningTests(ITestOutputHelper output) : IDisposable
{
    private const string Sentinel = "SENTINEL-token-9d2e";
    private readonly string _folder = Directory.CreateTempSubdirectory("operator-harden-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task WithAnOlderCrdTheOperatorRefusesAFilePathWithoutReadingIt()
    {
        var committed = await File.ReadAllTextAsync(DirectoryConnector.TestSupport.Repository.DirectorySyncCrd);
        var rule = committed.IndexOf("- message: 'path is for the directory-connector CLI only", StringComparison.Ordinal);
        rule.Should().BePositive("the committed CRD carries the admission rule");
        var ruleEnd = committed.IndexOf("rule: '!has(self.path)'\n", rule, StringComparison.Ordinal) + "rule: '!has(self.path)'\n".Length;
        var olderCrd = Path.Combine(_folder, "older-crd.yaml");
        await File.WriteAllTextAsync(olderCrd, committed[..committed.LastIndexOf('\n', rule)] + "\n" + committed[ruleEnd..]);
        var token = Path.Combine(_folder, "token");
        await File.WriteAllTextAsync(token, $"eyJhbGciOiJSUzI1NiJ9.{Sentinel}.c2ln");

        await using var env = await StartAsync(output, olderCrd);
        await env.PutApiKeySecretAsync();
        var logs = new CapturedLogs();
        await env.StartOperatorAsync(configureServices: services => services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug)));
        var spec = env.Spec();
        spec.Source = new SourceSpec { File = new FileSourceSpec { Path = token, Format = FileFormat.Ldif } };

        await env.CreateDirectorySyncAsync("corp", spec);
        var stalled = await env.WaitForAsync("corp", s => Ready(s)?.Reason == "InvalidSpec", "Ready=False/InvalidSpec");

        Ready(stalled)!.Message.Should().Be(FileSource.NoLocalFiles);
        stalled.Status!.Conditions!.Should().Contain(c => c.Type == "Stalled" && c.Status == "True");
        env.Bitwarden.ImportRequests.Should().BeEmpty();
        var everything = string.Join('\n', logs.Lines)
            + k8s.KubernetesJson.Serialize(await env.GetAsync("corp"))
            + string.Join('\n', (await env.EventsForAsync("corp")).Select(e => e.Message));
        everything.Should().Contain("spec.source.file.path").And.NotContain(Sentinel).And.NotContain("eyJhbGci");
    }
}
