using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace DirectoryConnector.Engine.Configuration;

[Description("Filters in the source's own syntax: raw RFC 4515 filters ANDed with the object class for LDAP; the original connector's include:/exclude: syntax, optionally followed by | and a query, for SaaS sources.")]
public sealed class FiltersSpec
{
    [Description("Selects the users to sync, e.g. (memberOf=cn=Bitwarden,ou=Groups,dc=corp,dc=example,dc=com) for LDAP or exclude:joe@example.com for SaaS sources.")]
    public string? Users { get; set; }

    [Description("Selects the groups to sync. Nesting is still resolved through groups it leaves out.")]
    public string? Groups { get; set; }
}
