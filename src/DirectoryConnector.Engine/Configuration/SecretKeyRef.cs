using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("A key of a Secret in the DirectorySync's namespace.")]
public sealed class SecretKeyRef
{
    [Required]
    [Description("Name of the Secret.")]
    [RegularExpression(SpecPatterns.ObjectName)]
    [StringLength(253, MinimumLength = 1)]
    public string Name { get; set; } = "";

    [Required]
    [Description("Key within the Secret.")]
    [RegularExpression(SpecPatterns.DataKey)]
    [StringLength(253, MinimumLength = 1)]
    public string Key { get; set; } = "";
}
