using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("A key of a ConfigMap in the DirectorySync's namespace.")]
public sealed class ConfigMapKeyRef
{
    [Required]
    [Description("Name of the ConfigMap.")]
    [RegularExpression(SpecPatterns.ObjectName)]
    [StringLength(253, MinimumLength = 1)]
    public string Name { get; set; } = "";

    [Required]
    [Description("Key within the ConfigMap.")]
    [RegularExpression(SpecPatterns.DataKey)]
    [StringLength(253, MinimumLength = 1)]
    public string Key { get; set; } = "";
}
