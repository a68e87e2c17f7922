using DirectoryConnector.Operator.Crd;
using DirectoryConnector.Operator.Tests.Emulator;
using DirectoryConnector.TestSupport.Kubernetes;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Crd;

public sealed class CrdGeneratorTests
{
    public static TheoryData<string, string> CommittedCopies() => new()
    {
        { CrdGenerator.CommittedPath, CrdGenerator.RegenerateCommand },
        { CrdGenerator.ChartTemplatePath, CrdGenerator.RegenerateChartCommand },
    };

    [Theory]
    [MemberData(nameof(CommittedCopies))]
    public void CommittedCrdMatchesTheCSharpTypes(string path, string regenerate)
    {
        var file = Path.Combine(DirectoryConnector.TestSupport.Repository.Root, path);
        var committed = File.Exists(file) ? File.ReadAllText(file).ReplaceLineEndings("\n") : "";
        var generated = path == CrdGenerator.CommittedPath ? CrdGenerator.GenerateYaml() : CrdGenerator.GenerateHelmTemplate();
        if (committed == generated)
        {
            return;
        }

        var (committedLines, generatedLines) = (committed.Split('\n'), generated.Split('\n'));
        var line = Enumerable.Range(0, Math.Max(committedLines.Length, generatedLines.Length))
            .First(i => committedLines.ElementAtOrDefault(i) != generatedLines.ElementAtOrDefault(i));
        Assert.Fail($"{path} has drifted from the C# types at line {line + 1}:\n" +
            $"  committed: {committedLines.ElementAtOrDefault(line) ?? "<end of file>"}\n" +
            $"  generated: {generatedLines.ElementAtOrDefault(line) ?? "<end of file>"}\n" +
            $"Regenerate it with `{regenerate}`.");
    }

    [Fact]
    public void CrdHasTheNamesColumnsAndStatusSubresourceKubectlUsers()
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(CrdGenerator.GenerateYaml());

        crd.Metadata.Name.Should().Be("directorysyncs.directoryconnector.dev");
        crd.Spec.Scope.Should().Be("Namespaced");
        crd.Spec.Names.ShortNames.Should().Equal("dsync");
        crd.Spec.Names.Categories.Should().Equal("bitwarden");
        var version = crd.Spec.Versions.Single();
        version.Name.Should().Be("v1alpha1");
        version.Subresources.Status.Should().NotBeNull();
        version.AdditionalPrinterColumns.Select(c => c.Name.ToUpperInvariant())
            .Should().Equal("SOURCE", "INTERVAL", "READY", "STATUS", "USERS", "GROUPS", "LAST SYNC", "AGE");
        version.AdditionalPrinterColumns.Single(c => c.Name == "Last Sync").Type.Should().Be("date");
    }

    [Fact]
    public void EveryFieldIsDescribedSoKubectlExplainTeachesTheSpec()
    {
        var crd = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(CrdGenerator.GenerateYaml());
        var undescribed = new List<string>();
        Walk(crd.Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["spec"], "spec", undescribed);
        Walk(crd.Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["status"], "status", undescribed);

        undescribed.Should().BeEmpty();
    }

    [Fact]
    public void SchemaCarriesDefaultsFromInitializersAndOptionalityFromNullability()
    {
        var spec = KubernetesYaml.Deserialize<V1CustomResourceDefinition>(CrdGenerator.GenerateYaml())
            .Spec.Versions.Single().Schema.OpenAPIV3Schema.Properties["spec"];

        spec.Required.Should().BeEquivalentTo("bitwarden", "source");
        spec.Properties["interval"].DefaultProperty.Should().Be("15m");
        spec.Properties["bitwarden"].Properties["serverUrl"].DefaultProperty.Should().Be("https://vault.bitwarden.com");
        spec.Properties["bitwarden"].Required.Should().Equal("apiKeySecretRef");
        var ldap = spec.Properties["source"].Properties["ldap"];
        ldap.Properties["encryption"].EnumProperty.Should().Equal("none", "startTls", "ldaps");
        ldap.Properties["port"].DefaultProperty.Should().BeNull("a nullable property is optional and has no default");
        ldap.Required.Should().BeEquivalentTo("hostname", "rootPath", "username", "passwordSecretRef");
        spec.Properties["source"].MaxProperties.Should().Be(1);
    }

    [Fact]
    public void EmulatorEvaluatesEveryRuleTheCrdDeclares()
    {
        var crd = YamlJson.ReadDocuments(CrdGenerator.GenerateYaml()).Single();

        var served = ApiResourceType.FromCrd(crd);

        served.Schema.Should().NotBeNull("StructuralSchema refuses CEL rules it cannot evaluate");
    }

    private static void Walk(V1JSONSchemaProps schema, string path, List<string> undescribed)
    {
        if (string.IsNullOrWhiteSpace(schema.Description))
        {
            undescribed.Add(path);
        }

        foreach (var (name, child) in schema.Properties ?? new Dictionary<string, V1JSONSchemaProps>())
        {
            Walk(child, $"{path}.{name}", undescribed);
        }

        if (schema.Items is V1JSONSchemaProps items && items.Properties is not null)
        {
            foreach (var (name, child) in items.Properties)
            {
                Walk(child, $"{path}[].{name}", undescribed);
            }
        }
    }
}
