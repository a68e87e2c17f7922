using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;
using YamlDotNet.RepresentationModel;

namespace DirectoryConnector.Operator.Tests.Deployment;

/// <summary>config/rbac and config/manager grant what the operator calls and run it under the restricted pod security profile.</summary>
public sealed class ManifestTests
{
    // Every API call the operator makes (Runtime/KubernetesSources.cs, Reconciliation/*, Hosting/OperatorHost.cs).
    public static TheoryData<string, string, string> Calls() => new()
    {
        { "directoryconnector.dev", "directorysyncs", "list" },
        { "directoryconnector.dev", "directorysyncs", "watch" },
        { "directoryconnector.dev", "directorysyncs", "get" },
        { "directoryconnector.dev", "directorysyncs/status", "patch" },
        { "", "secrets", "get" },
        { "", "secrets", "list" },
        { "", "secrets", "watch" },
        { "", "configmaps", "get" },
        { "", "configmaps", "list" },
        { "", "configmaps", "watch" },
        { "", "events", "create" },
        { "coordination.k8s.io", "leases", "get" },
        { "coordination.k8s.io", "leases", "create" },
        { "coordination.k8s.io", "leases", "update" },
    };

    [Theory]
    [MemberData(nameof(Calls))]
    public void TheRolesAllowEveryCallTheOperatorMakes(string apiGroup, string resource, string verb)
    {
        var rules = Documents("config/rbac/role.yaml")
            .SelectMany(d => ((YamlSequenceNode)d["rules"]).Children.Cast<YamlMappingNode>());
        rules.Should().Contain(rule => Strings(rule, "apiGroups").Contains(apiGroup) && Strings(rule, "resources").Contains(resource) && Strings(rule, "verbs").Contains(verb));
    }

    [Fact]
    public void TheRolesGrantNothingBeyondThoseCalls()
    {
        var granted = Documents("config/rbac/role.yaml")
            .SelectMany(d => ((YamlSequenceNode)d["rules"]).Children.Cast<YamlMappingNode>())
            .SelectMany(rule => Strings(rule, "resources").SelectMany(r => Strings(rule, "verbs").Select(v => (r, v))))
            .ToHashSet();
        var needed = Calls().Select(row => ((string)row[1], (string)row[2])).ToHashSet();
        // "update" on status and "patch" on events are what kubectl-style clients and event aggregation may use.
        granted.Except(needed).Should().BeSubsetOf([("directorysyncs/status", "get"), ("directorysyncs/status", "update"), ("events", "patch")]);
        granted.Should().NotContain(g => g.v == "*" || g.r == "*" || g.v == "delete");
    }

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

    private static IEnumerable<string> Strings(YamlMappingNode node, string key)
        => ((YamlSequenceNode)node[key]).Children.Select(c => c.ToString());

    private static List<YamlMappingNode> Documents(string relativePath)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(RepositoryRoot(), relativePath)));
        stream.Load(reader);
        return [.. stream.Documents.Select(d => (YamlMappingNode)d.RootNode)];
    }

    private static string RepositoryRoot() => Repository.Root;
}
