using DirectoryConnector.Engine.Configuration;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.File;

[Description("A directory exported to a file: LDIF (as ldapsearch or ldifde write it) or JSON.")]
[ExactlyOneOf("set exactly one of path (CLI) or configMapRef (operator)", nameof(Path), nameof(ConfigMapRef))]
public sealed class FileSourceSpec
{
    [Description("Path of the file (CLI only; relative paths are relative to the manifest). The API server and the operator refuse it: in a cluster use configMapRef.")]
    [CliOnly("path is for the directory-connector CLI only: the operator never reads files of its own pod. Put the export in a ConfigMap of this namespace and set configMapRef")]
    public string? Path { get; set; }

    [Description("The ConfigMap key holding the file (operator).")]
    public ConfigMapKeyRef? ConfigMapRef { get; set; }

    [Description("ldif or json; inferred from the file name's extension when omitted.")]
    public FileFormat? Format { get; set; }
}
