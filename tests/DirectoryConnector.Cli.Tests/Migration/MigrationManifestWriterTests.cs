using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.Cli.Migration;
using FluentAssertions;
using Xunit;
using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.EventEmitters;

namespace DirectoryConnector.Cli.Tests.Migration;

/// <summary>convert-bwdc's YAML is emitted event by event (no reflection, for Native AOT); it must be byte for byte
/// what YamlDotNet's reflection-based serializer, configured as the writer was, made of the same documents.</summary>
public sealed class MigrationManifestWriterTests
{
    private static readonly ISerializer Reference = new SerializerBuilder()
        .WithQuotingNecessaryStrings()
        .WithEventEmitter(next => new LiteralBlocks(next))
        .Build();

    public static TheoryData<string> DataFiles() =>
    [
        "active-directory.data.json", "ldap.data.json", "entra-id.data.json", "entra-id-azure-state-v4.data.json",
        "google-workspace.data.json", "okta.data.json", "onelogin-state-v3.data.json",
    ];

    [Theory]
    [MemberData(nameof(DataFiles))]
    public void A_converted_spec_and_its_secrets_are_written_as_the_serializer_wrote_them(string dataJson)
    {
        var conversion = BwdcConverter.Convert(File.ReadAllText(ConvertedManifests.Committed(dataJson)), null, "bitwarden");

        Same(new JsonObject { ["apiVersion"] = "directoryconnector.dev/v1alpha1", ["kind"] = "DirectorySync", ["spec"] = conversion.Spec.DeepClone() });
        foreach (var secret in conversion.Secrets)
        {
            var data = new JsonObject();
            foreach (var (key, value) in secret.StringData)
            {
                data[key] = value;
            }

            Same(new JsonObject { ["kind"] = "Secret", ["stringData"] = data });
        }
    }

    [Fact]
    public void Strings_YAML_would_read_as_something_else_and_every_node_kind_are_written_as_the_serializer_wrote_them()
    {
        var tricky = new JsonArray();
        foreach (var text in new[]
                 {
                     "", " ", " lead", "trail ", "true", "False", "null", "~", "yes", "no", "on", "123", "-1", "0x1F", "0o17", "1.5", "1e3", ".inf", "-.Inf",
                     ".nan", "a: b", "#comment", "- dash", "key: 'quoted'", "\"double\"", "@at", "`tick", "{flow}", "[seq]", "*alias", "&anchor", "!tag",
                     "%percent", "|pipe", ">fold", "é ü 日本", "tab\there", "line\nbreak", "ends with newline\n", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
                     "{\n  \"type\": \"service_account\"\n}", "trailing spaces  \nnext", "ldap://dc.corp.example.com:636", "(&(objectClass=user)(!(cn=x)))", "*",
                 })
        {
            tricky.Add(text);
        }

        Same(new JsonObject
        {
            ["strings"] = tricky,
            ["numbers"] = new JsonArray(0, 1, -42, 300, long.MaxValue),
            ["booleans"] = new JsonArray(true, false),
            ["nothing"] = null,
            ["empty"] = new JsonObject(),
            ["none"] = new JsonArray(),
            ["nested"] = new JsonObject { ["list"] = new JsonArray(new JsonObject { ["a"] = 1, ["b"] = new JsonArray("x") }), ["true"] = "key YAML reads as a boolean", ["1"] = "numeric key" },
        });
    }

    private static void Same(JsonObject document) =>
        MigrationManifestWriter.Document(document).Should().Be(Reference.Serialize(Plain(document)), "written for {0}", document.ToJsonString());

    // What the writer gave the serializer: dictionaries, lists and scalars in order.
    private static object? Plain(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => obj.ToDictionary(p => p.Key, p => Plain(p.Value)),
        JsonArray array => array.Select(Plain).ToList(),
        JsonValue value => value.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number => long.Parse(value.ToJsonString(), CultureInfo.InvariantCulture),
            _ => value.GetValue<string>(),
        },
        _ => throw new InvalidOperationException("unexpected JSON node"),
    };

    private sealed class LiteralBlocks(IEventEmitter next) : ChainedEventEmitter(next)
    {
        public override void Emit(ScalarEventInfo eventInfo, IEmitter emitter)
        {
            if (eventInfo.Source.Value is string text && text.Contains('\n', StringComparison.Ordinal))
            {
                eventInfo.Style = ScalarStyle.Literal;
            }

            base.Emit(eventInfo, emitter);
        }
    }
}
