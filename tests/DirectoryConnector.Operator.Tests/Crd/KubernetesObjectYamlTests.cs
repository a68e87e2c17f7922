using DirectoryConnector.Operator.Crd;
using FluentAssertions;
using k8s;
using k8s.Models;
using Xunit;

namespace DirectoryConnector.Operator.Tests.Crd;

/// <summary>
/// The reflection-free YAML writer (Native AOT) against KubernetesYaml.Serialize, which works under JIT and wrote the
/// committed CRD files: the same bytes for the CRD and for values that need quoting, literal blocks or float forms.
/// </summary>
public sealed class KubernetesObjectYamlTests
{
    [Fact]
    public void TheCrdIsWrittenByteForByteAsKubernetesYamlWritesIt()
    {
        var crd = CrdGenerator.Generate();

        KubernetesObjectYaml.Serialize(crd).Should().Be(KubernetesYaml.Serialize(crd));
        CrdGenerator.GenerateYaml().Should().Be(
            "# Generated from the C# types by `directory-connector crd`; do not edit by hand.\n" + KubernetesYaml.Serialize(crd).TrimEnd() + "\n");
    }

    [Fact]
    public void QuotingLiteralBlocksFloatsAndTypeMetaOrderAreKubernetesYamls()
    {
        string[] awkward = ["true", "False", "yes", "n", "on", "~", "null", "", " ", "12", "-1.5", "1e3", ".5", "0x1F", "a: b", "#not a comment",
            "- item", "{{ .Values.x }}", "[x]", "multi\nline", "trailing newline\n", "tab\there", "quote \" and ' both", "émoji ✓", "@at", "`tick`", "%p", "*star", "&amp", "!bang", "|pipe", ">gt"];
        var schema = new V1JSONSchemaProps
        {
            Type = "object",
            Description = "description: with a colon\nand a second line",
            Minimum = 0,
            Maximum = 1.5,
            MultipleOf = 1e20,
            MaxLength = 9_000_000_000,
            MinItems = 3,
            Nullable = false,
            Required = [.. awkward],
            EnumProperty = [.. awkward.Cast<object>(), true, 7, 7L, 2.5],
            DefaultProperty = new Dictionary<string, object> { ["true"] = "yes", ["nested"] = new Dictionary<string, object>(), ["list"] = new List<object> { "1", 1 } },
            Properties = awkward.Where(a => a.Length > 0).Distinct().ToDictionary(a => a, a => new V1JSONSchemaProps { Type = a, Pattern = a }),
            XKubernetesValidations = [new V1ValidationRule { Rule = "self.a == 'b'", Message = "it's \"quoted\"" }],
        };
        object[] values =
        [
            schema,
            new V1CustomResourceDefinitionNames { Plural = "ps", Kind = "K", ListKind = "KList", ShortNames = [] },
            new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "n", Labels = new Dictionary<string, string> { ["a/b"] = "true" } }, Data = awkward.Where(a => a.Length > 0).Distinct().ToDictionary(a => a, a => a), Kind = "ConfigMap", ApiVersion = "v1" },
        ];

        foreach (var value in values)
        {
            KubernetesObjectYaml.Serialize(value).Should().Be(KubernetesYaml.Serialize(value), value.GetType().Name);
        }
    }
}
