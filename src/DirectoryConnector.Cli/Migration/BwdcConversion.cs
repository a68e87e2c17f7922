using System.Text.Json.Nodes;

namespace DirectoryConnector.Cli.Migration;

/// <summary>A converted data.json: the DirectorySync's spec (only what data.json set, in the field order of the
/// spec), the Secrets it references with placeholders, and what the administrator must know.</summary>
internal sealed record BwdcConversion(string Name, JsonObject Spec, IReadOnlyList<PlaceholderSecret> Secrets, IReadOnlyList<MigrationNote> Notes);
