using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("A Secret in the DirectorySync's namespace holding the organization API key.")]
public sealed class ApiKeySecretRef
{
    [Required]
    [Description("Name of the Secret.")]
    [RegularExpression(SpecPatterns.ObjectName)]
    [StringLength(253, MinimumLength = 1)]
    public string Name { get; set; } = "";

    [Description("Key of the client id (organization.<id>).")]
    [RegularExpression(SpecPatterns.DataKey)]
    [StringLength(253, MinimumLength = 1)]
    public string ClientIdKey { get; set; } = "client_id";

    [Description("Key of the client secret.")]
    [RegularExpression(SpecPatterns.DataKey)]
    [StringLength(253, MinimumLength = 1)]
    public string ClientSecretKey { get; set; } = "client_secret";
}
