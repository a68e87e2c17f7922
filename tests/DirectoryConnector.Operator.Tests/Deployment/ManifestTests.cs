using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace DirectoryConnector.Operator.Tests.Deployment;

/// <summary>config/manager runs the operator under the restricted pod security profile (RBAC: Shipping/RbacTests, from recorded calls).</summary>
public sealed class ManifestTests
{
    [Fact]
    public void TheDeploymentRunsRestrictedWithProbesAndTheMetricsPort()
    {
        var deployment = Documents("config/manager/deployment.yaml").Single(d => d["kind"].ToString() == "Deployment");
        var pod = (YamlMappingNode)((YamlMappingNode)deployment["spec"])["template"]["spec"];
        var podSecurity = (YamlMappingNode)pod["securityContext"];
        podSecurity["runAsNonRoot"].ToString().Should().Be("true");
        podSecurity["seccompProfile"]["type"].ToString().Should().Be("RuntimeDefault");
        var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"]).Children.Single();
        var security = (YamlMappingNode)container["securityContext"];
        security["allowPrivilegeEscalation"].ToString().Should().Be("false");
        security["readOnlyRootFilesystem"].ToString().Should().Be("true");
        ((YamlSequenceNode)security["capabilities"]["drop"]).Children.Select(c => c.ToString()).Should().Equal("ALL");
        container["livenessProbe"]["httpGet"]["path"].ToString().Should().Be("/healthz");
        container["readinessProbe"]["httpGet"]["path"].ToString().Should().Be("/readyz");
        ((YamlSequenceNode)container["ports"]).Children.Should().Contain(p => p["containerPort"].ToString() == "8080");
        ((YamlSequenceNode)container["args"]).Children.Select(a => a.ToString()).Should().Contain("operator");
    }

    private static List<YamlMappingNode> Documents(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot(), relativePath)));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string RepositoryRoot() => Repository.Root;
}
