using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.EntraId;

/// <summary>The Microsoft cloud a tenant lives in: sets the login (authority) and Graph hosts
/// (learn.microsoft.com/graph/deployments).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntraIdCloud>))]
public enum EntraIdCloud
{
    /// <summary>login.microsoftonline.com, graph.microsoft.com.</summary>
    [JsonStringEnumMemberName("global")] Global,

    /// <summary>US Government L4/L5: login.microsoftonline.us, graph.microsoft.us.</summary>
    [JsonStringEnumMemberName("usGovernment")] UsGovernment,

    /// <summary>Operated by 21Vianet: login.chinacloudapi.cn, microsoftgraph.chinacloudapi.cn.</summary>
    [JsonStringEnumMemberName("china")] China,
}
