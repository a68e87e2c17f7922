using DirectoryConnector.Engine.Configuration;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Sources.Ldap;

[JsonConverter(typeof(JsonStringEnumConverter<LdapEncryption>))]
public enum LdapEncryption
{
    [JsonStringEnumMemberName("none")] None,
    [JsonStringEnumMemberName("startTls")] StartTls,
    [JsonStringEnumMemberName("ldaps")] Ldaps,
}
