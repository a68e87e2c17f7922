using DirectoryConnector.TestSupport;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Shipping;

/// <summary>README's sections for users are the ones issue 12 lists, in its order, each with what a user runs.</summary>
public sealed class ReadmeForUsersTests
{
    [Fact]
    public void RunningTheOperatorSectionsFollowTheIssuesOrder()
    {
        var headings = File.ReadLines(Path.Combine(Repository.Root, "README.md"))
            .SkipWhile(l => l != "## Running the operator on Kubernetes").Skip(1)
            .TakeWhile(l => !l.StartsWith("## ", StringComparison.Ordinal))
            .Where(l => l.StartsWith("### ", StringComparison.Ordinal)).Select(l => l[4..]).ToList();

        headings.Should().StartWith(
        [
            "1. Install with Helm", "2. Create the API-key Secret", "3. Apply a DirectorySync", "4. Read its status",
            "5. Force a sync", "6. GitOps with Argo CD", "7. Alerting", "8. Upgrading", "9. Troubleshooting by condition reason",
        ]);
    }

    [Theory]
    [InlineData("### 1. Install with Helm", "helm install directory-connector charts/directory-connector-operator")]
    [InlineData("### 1. Install with Helm", "kubectl apply -k config/default")]
    [InlineData("### 2. Create the API-key Secret", "--from-literal=client_id=organization.<org-id> --from-literal=client_secret=")]
    [InlineData("### 3. Apply a DirectorySync", "kubectl apply -f config/samples/")]
    [InlineData("### 4. Read its status", "kubectl get dsync -A")]
    [InlineData("### 5. Force a sync", "directoryconnector.dev/sync-requested-at=")]
    [InlineData("### 6. GitOps with Argo CD", "resource.customizations.health.directoryconnector.dev_DirectorySync")]
    [InlineData("### 7. Alerting", "prometheusRule.enabled=true")]
    [InlineData("### 8. Upgrading", "helm upgrade directory-connector charts/directory-connector-operator")]
    [InlineData("### 9. Troubleshooting by condition reason", "docs/runbook.md")]
    public void EachSectionShowsWhatToRun(string heading, string command)
    {
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).ReplaceLineEndings("\n");
        var start = readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"README has {heading}");
        var end = readme.IndexOf("\n### ", start + heading.Length + 1, StringComparison.Ordinal);

        readme[start..end].Should().Contain(command);
    }
}
