using System.Text.Json.Nodes;
using DirectoryConnector.Operator.Crd;
using DirectoryConnector.TestSupport;
using DirectoryConnector.TestSupport.Kubernetes;
using DirectoryConnector.TestSupport.Tools;
using FluentAssertions;
using Xunit;
using static DirectoryConnector.Operator.Tests.Shipping.HelmChart;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>charts/directory-connector-operator with the real helm: lint, render, schema, the Kubernetes API schemas.</summary>
public sealed class HelmChartTests
{
    [ToolFact("helm")]
    public async Task HelmLintPassesWithDefaultAndAllFeatureValues()
    {
        var plain = await RunAsync("lint", "--strict", ".");
        var all = await RunAsync("lint", "--strict", ".", "-f", AllFeatures);

        plain.ExitCode.Should().Be(0, plain.ToString());
        all.ExitCode.Should().Be(0, all.ToString());
    }

    [ToolFact("helm", "node", "kubernetes-models")]
    public async Task RenderedManifestsValidateAgainstTheKubernetesSchemasAndTheCrdLoads()
    {
        var objects = new List<JsonObject>();
        objects.AddRange(await TemplateAsync());
        objects.AddRange(await TemplateAsync("-f", AllFeatures));
        var file = Path.Combine(Path.GetTempPath(), $"chart-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, new JsonArray([.. objects.Select(o => o.DeepClone())]).ToJsonString());
        try
        {
            var script = await File.ReadAllTextAsync(Path.Combine(Repository.Root, "tests", "tools", "validate-manifests.mjs"));
            // Bare imports in a script read from stdin resolve from the working directory: .tools/node.
            var result = await ExternalTool.RunAsync(ExternalTool.Require("node"), ["--input-type=module", "-", file], ExternalTool.NodeModulesRoot, script);

            result.ExitCode.Should().Be(0, result.ToString());
            result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(objects.Count).And.OnlyContain(line => line.StartsWith("ok ", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(file);
        }

        var crd = Single(await TemplateAsync(), "CustomResourceDefinition");
        ApiResourceType.FromCrd(crd).Schema.Should().NotBeNull("the chart's CRD is served with its structural schema");
        crd["spec"]!.ToJsonString().Should().Be(YamlJson.ReadDocuments(CrdGenerator.GenerateYaml()).Single()["spec"]!.ToJsonString());
    }

    [ToolFact("helm")]
    public async Task ValuesSchemaRejectsAMisspeltKeyAndAWrongType()
    {
        var misspelt = await RunAsync("template", "dco", ".", "--set", "serviceMonitor.enabeld=true");
        var wrongType = await RunAsync("template", "dco", ".", "--set", "concurrency=two");
        var unknownTopLevel = await RunAsync("template", "dco", ".", "--set", "watchNamespace=bitwarden");

        misspelt.ExitCode.Should().NotBe(0);
        misspelt.Error.Should().Contain("/serviceMonitor").And.Contain("'enabeld' not allowed");
        wrongType.ExitCode.Should().NotBe(0);
        wrongType.Error.Should().Contain("/concurrency").And.Contain("want integer");
        unknownTopLevel.Error.Should().Contain("'watchNamespace' not allowed");
    }

    [ToolFact("helm")]
    public async Task DeploymentRunsRestrictedWithProbesReadOnlyRootAndLeaderElectionForSeveralReplicas()
    {
        var objects = await TemplateAsync();
        var pod = Single(objects, "Deployment")["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>().Should().BeTrue();
        pod["securityContext"]!["seccompProfile"]!["type"]!.GetValue<string>().Should().Be("RuntimeDefault");
        container["securityContext"]!["readOnlyRootFilesystem"]!.GetValue<bool>().Should().BeTrue();
        container["securityContext"]!["allowPrivilegeEscalation"]!.GetValue<bool>().Should().BeFalse();
        container["securityContext"]!["capabilities"]!["drop"]!.AsArray().Select(c => (string)c!).Should().Equal("ALL");
        container["livenessProbe"]!["httpGet"]!["path"]!.GetValue<string>().Should().Be("/healthz");
        container["readinessProbe"]!["httpGet"]!["path"]!.GetValue<string>().Should().Be("/readyz");
        container["resources"]!["requests"].Should().NotBeNull();
        container["image"]!.GetValue<string>().Should().EndWith(":0.1.0", "the image tag defaults to the chart's appVersion");
        Args(objects).Should().Contain("--leader-elect=true").And.Contain("--leader-election-namespace=directory-connector");
        OfKind(objects, "Role").Should().ContainSingle(r => (string?)r["metadata"]!["name"] == "dco-directory-connector-operator-leader-election");

        var single = await TemplateAsync("--set", "replicaCount=1", "--set", "leaderElection.enabled=false");
        Args(single).Should().Contain("--leader-elect=false");
        OfKind(single, "Role").Should().BeEmpty("without leader election no Lease is needed");
        Args(await TemplateAsync("--set", "replicaCount=3", "--set", "leaderElection.enabled=false"))
            .Should().Contain("--leader-elect=true", "two active replicas would sync twice");
    }

    [ToolFact("helm")]
    public async Task EveryValueReachesItsOperatorFlag()
    {
        var args = Args(await TemplateAsync("-f", AllFeatures));

        // That these parse into the operator's options, and that no flag of the verb lacks a value:
        // DirectoryConnector.Cli.Tests ChartOperatorFlagsTests.
        args.Should().Equal(
            "operator", "--concurrency=4", "--leader-elect=true", "--leader-election-id=directory-connector-shard-a",
            "--leader-election-namespace=operators", "--leader-elect-lease-duration=30s", "--leader-elect-renew-deadline=20s",
            "--leader-elect-retry-period=4s", "--http-port=9090", "--http-address=::", "--log-level=Debug",
            "--watch-namespace=bitwarden", "--watch-namespace=bitwarden-staging", "--selector=shard=a", "--text-logs");
    }

    [ToolFact("helm")]
    public async Task ValuesSchemaRejectsADurationOrAddressThatTheOperatorWouldNot()
    {
        var number = await RunAsync("template", "dco", ".", "--set", "leaderElection.leaseDuration=15");
        var timeSpan = await RunAsync("template", "dco", ".", "--set", "leaderElection.renewDeadline=00:00:10");
        var empty = await RunAsync("template", "dco", ".", "--set", "metrics.address=");

        number.Error.Should().Contain("/leaderElection/leaseDuration").And.Contain("want string");
        timeSpan.Error.Should().Contain("/leaderElection/renewDeadline").And.Contain("does not match pattern");
        empty.Error.Should().Contain("/metrics/address");
    }

    [ToolFact("helm")]
    public async Task LeaseTimingsTheOperatorWouldRefuseAreRefusedAtTemplateTimeNamingTheValues()
    {
        // The operator's rule (OperatorOptions.Validate): leaseDuration > renewDeadline > retryPeriod > 0, compared as
        // durations (1m is 60s), not as text.
        var equal = await RunAsync("template", "dco", ".", "--set", "leaderElection.leaseDuration=10s");
        var shorter = await RunAsync("template", "dco", ".", "--set", "leaderElection.leaseDuration=1m", "--set", "leaderElection.renewDeadline=1m30s");
        var renewAtRetry = await RunAsync("template", "dco", ".", "--set", "leaderElection.renewDeadline=2000ms");
        var noRetry = await RunAsync("template", "dco", ".", "--set", "leaderElection.retryPeriod=0s");
        var mixedUnits = await TemplateAsync("--set", "leaderElection.leaseDuration=1m", "--set", "leaderElection.renewDeadline=59.5s", "--set", "leaderElection.retryPeriod=500ms");
        var disabled = await TemplateAsync("--set", "replicaCount=1", "--set", "leaderElection.enabled=false", "--set", "leaderElection.leaseDuration=1s");

        equal.ExitCode.Should().NotBe(0);
        equal.Error.Should().Contain("leader election needs leaseDuration > renewDeadline > retryPeriod > 0; got leaderElection.leaseDuration 10s, "
            + "leaderElection.renewDeadline 10s, leaderElection.retryPeriod 2s: set leaderElection.leaseDuration longer than leaderElection.renewDeadline (10s)");
        shorter.Error.Should().Contain("got leaderElection.leaseDuration 1m, leaderElection.renewDeadline 1m30s").And.Contain("set leaderElection.leaseDuration longer");
        renewAtRetry.Error.Should().Contain("set leaderElection.renewDeadline longer than leaderElection.retryPeriod (2s)");
        noRetry.Error.Should().Contain("set leaderElection.retryPeriod above 0");
        Args(mixedUnits).Should().Contain("--leader-elect-renew-deadline=59.5s", "59.5s is shorter than 1m and longer than 500ms");
        Args(disabled).Should().Contain("--leader-elect=false", "without leader election the operator ignores the timings, and so does the chart");
    }

    [ToolFact("helm")]
    public async Task ValuesSchemaRejectsAMisspeltSecurityContextFieldInsteadOfDroppingIt()
    {
        // Misspelt, the restriction would silently not apply: the pod would run with a writable root.
        var container = await RunAsync("template", "dco", ".", "--set", "securityContext.readOnlyRootFileSystem=true");
        var pod = await RunAsync("template", "dco", ".", "--set", "podSecurityContext.runAsUser=nobody");
        var quantity = await RunAsync("template", "dco", ".", "--set", "resources.limits.memory=true");

        container.Error.Should().Contain("/securityContext").And.Contain("'readOnlyRootFileSystem' not allowed");
        pod.Error.Should().Contain("/podSecurityContext/runAsUser").And.Contain("want integer");
        quantity.Error.Should().Contain("/resources/limits/memory");
    }

    [ToolFact("helm")]
    public async Task NetworkPolicyAllowsOnlyDnsTheApiServerTheListedHostsAndScrapes()
    {
        OfKind(await TemplateAsync(), "NetworkPolicy").Should().BeEmpty("the NetworkPolicy is optional");
        var objects = await TemplateAsync("-f", AllFeatures);
        var policy = Single(objects, "NetworkPolicy")["spec"]!;
        var podLabels = Single(objects, "Deployment")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();

        policy["podSelector"]!["matchLabels"]!.AsObject().Should().OnlyContain(l => podLabels.Any(p => p.Key == l.Key && (string?)p.Value == (string?)l.Value), "it selects the operator's pods");
        policy["policyTypes"]!.AsArray().Select(t => (string)t!).Should().BeEquivalentTo("Ingress", "Egress");
        var egress = policy["egress"]!.AsArray().Select(rule => (
            To: string.Join(",", rule!["to"]?.AsArray().Select(t => $"{t!["ipBlock"]!["cidr"]}{(t["ipBlock"]!["except"] is JsonArray except ? " except " + string.Join(" ", except) : "")}") ?? ["any"]),
            Ports: string.Join(",", rule["ports"]!.AsArray().Select(p => $"{p!["port"]}/{p["protocol"]}")))).ToList();
        egress.Should().Equal(
            ("any", "53/UDP,53/TCP"),
            ("10.96.0.1/32", "443/TCP,6443/TCP"),
            ("10.20.0.0/24", "636/TCP"),
            ("0.0.0.0/0 except 10.0.0.0/8", "443/TCP"));
        var ingress = policy["ingress"]!.AsArray().Should().ContainSingle().Subject!;
        ingress["ports"]![0]!["port"]!.GetValue<string>().Should().Be("http-metrics", "only the metrics port is reachable");
        ingress["from"]![0]!["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]!.GetValue<string>().Should().Be("monitoring");
    }

    [ToolFact("helm")]
    public async Task PodDisruptionBudgetAndMetricsServiceSelectTheOperatorsPods()
    {
        var objects = await TemplateAsync("-f", AllFeatures);
        var podLabels = Single(objects, "Deployment")["spec"]!["template"]!["metadata"]!["labels"]!.AsObject();
        bool SelectsPods(JsonNode selector) => selector.AsObject().All(l => podLabels.Any(p => p.Key == l.Key && (string?)p.Value == (string?)l.Value));

        var budget = Single(objects, "PodDisruptionBudget")["spec"]!;
        budget["minAvailable"]!.GetValue<int>().Should().Be(1);
        SelectsPods(budget["selector"]!["matchLabels"]!).Should().BeTrue("the budget protects the operator's pods");

        var service = Single(objects, "Service")["spec"]!;
        SelectsPods(service["selector"]!).Should().BeTrue("the metrics Service fronts the operator's pods");
        var port = service["ports"]!.AsArray().Should().ContainSingle().Subject!;
        (port["port"]!.GetValue<int>(), port["targetPort"]!.GetValue<string>()).Should().Be((9090, "http-metrics"));
        var container = Single(objects, "Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        container["ports"]!.AsArray().Should().ContainSingle(p => (string?)p!["name"] == "http-metrics" && (int?)p["containerPort"] == 9090);
        Single(objects, "ServiceMonitor")["spec"]!["endpoints"]![0]!["port"]!.GetValue<string>().Should().Be("http-metrics");

        OfKind(await TemplateAsync(), "PodDisruptionBudget").Should().BeEmpty("the budget is optional");
    }

    [ToolFact("helm")]
    public async Task WatchNamespacesGrantNamespacedRolesOnlyThere()
    {
        var objects = await TemplateAsync("--set", "watchNamespaces={team-a,team-b}");

        OfKind(objects, "ClusterRole").Should().BeEmpty();
        OfKind(objects, "ClusterRoleBinding").Should().BeEmpty();
        OfKind(objects, "Role").Where(r => ((string)r["metadata"]!["name"]!).EndsWith("operator", StringComparison.Ordinal))
            .Select(r => (string)r["metadata"]!["namespace"]!).Should().BeEquivalentTo("team-a", "team-b");
        OfKind(objects, "RoleBinding").Where(r => ((string)r["metadata"]!["name"]!).EndsWith("operator", StringComparison.Ordinal))
            .Select(r => (string)r["metadata"]!["namespace"]!).Should().BeEquivalentTo("team-a", "team-b");
        OfKind(await TemplateAsync(), "ClusterRole").Should().ContainSingle();
    }

    [ToolFact("helm")]
    public async Task CrdIsKeptOnUninstallUnlessToldAndCanBeLeftOut()
    {
        Single(await TemplateAsync(), "CustomResourceDefinition")["metadata"]!["annotations"]!["helm.sh/resource-policy"]!.GetValue<string>().Should().Be("keep");
        Single(await TemplateAsync("--set", "crds.keep=false"), "CustomResourceDefinition")["metadata"]!["annotations"].Should().BeNull();
        OfKind(await TemplateAsync("--set", "crds.enabled=false"), "CustomResourceDefinition").Should().BeEmpty();
    }

    [ToolFact("helm")]
    public async Task MonitoringObjectsRenderOnlyWhereTheClusterServesThemUnlessForced()
    {
        string[] on = ["--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true"];

        var withoutOperator = await TemplateAsync(on);
        var withOperator = await TemplateAsync([.. on, "--api-versions", "monitoring.coreos.com/v1"]);
        var failing = await RunAsync(["template", "dco", ".", .. on, "--set", "serviceMonitor.renderMode=failIfMissing"]);

        OfKind(withoutOperator, "ServiceMonitor").Should().BeEmpty();
        OfKind(withoutOperator, "PrometheusRule").Should().BeEmpty();
        Single(withOperator, "ServiceMonitor")["spec"]!["endpoints"]![0]!["honorLabels"]!.GetValue<bool>().Should().BeTrue();
        Single(withOperator, "PrometheusRule");
        failing.ExitCode.Should().NotBe(0);
        failing.Error.Should().Contain("monitoring.coreos.com/v1 is not served by this cluster");
    }

    [ToolFact("helm")]
    public async Task NotesTellTheNextStepsWithTheReleaseNamespace()
    {
        var install = await RunAsync("install", "dco", ".", "--namespace", "tools", "--dry-run=client");

        install.ExitCode.Should().Be(0, install.ToString());
        var notes = install.Output[install.Output.IndexOf("NOTES:", StringComparison.Ordinal)..];
        notes.Should().Contain("kubectl -n bitwarden create secret generic bitwarden-org-api-key")
            .And.Contain("kubectl apply -f")
            .And.Contain("kubectl get dsync -A")
            .And.Contain("kubectl -n tools logs deploy/dco-directory-connector-operator");
    }
}
