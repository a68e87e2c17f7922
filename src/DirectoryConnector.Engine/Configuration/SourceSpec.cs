using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using DirectoryConnector.Engine.Sources.EntraId;
using DirectoryConnector.Engine.Sources.File;
using DirectoryConnector.Engine.Sources.GoogleWorkspace;
using DirectoryConnector.Engine.Sources.Ldap;
using DirectoryConnector.Engine.Sources.Okta;
using DirectoryConnector.Engine.Sources.OneLogin;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>The directory source: one property per source kind, exactly one of them set. A new source adds its
/// property here (its spec type lives in its own folder under Sources/) and registers its provider
/// (<see cref="Sources.SourceProviderServiceCollectionExtensions.AddSourceProvider{TProvider}"/>).</summary>
[Description("The directory source. Exactly one of its fields is set.")]
[ExactlyOneOf("set exactly one source: {0}")]
public sealed class SourceSpec
{
    private static readonly PropertyInfo[] SourceProperties = typeof(SourceSpec)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
        .ToArray();

    [Description("An LDAP directory or Active Directory.")]
    public LdapSourceSpec? Ldap { get; set; }

    [Description("A directory exported as LDIF or JSON (also useful for HR exports).")]
    public FileSourceSpec? File { get; set; }

    [Description("An Okta org (Management API, with an API token or an OAuth 2.0 service app).")]
    public OktaSourceSpec? Okta { get; set; }

    [Description("OneLogin: users, and roles as groups, through the v2 API with an API credential.")]
    public OneLoginSourceSpec? OneLogin { get; set; }

    [Description("Google Workspace, through the Admin SDK Directory API with a service account and domain-wide delegation.")]
    public GoogleWorkspaceSourceSpec? GoogleWorkspace { get; set; }

    [Description("Microsoft Entra ID (Azure AD), through Microsoft Graph with delta queries.")]
    public EntraIdSourceSpec? EntraId { get; set; }

    /// <summary>The field names (as in the manifest, e.g. "ldap") of every source that is set, in declaration order.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> SetKinds => [.. SourceProperties.Where(p => p.GetValue(this) is not null).Select(p => KindOf(p))];

    /// <summary>The field name of the one source that is set, or null when none or several are.</summary>
    [JsonIgnore]
    public string? Kind => SetKinds is [var kind] ? kind : null;

    /// <summary>Every source field name, in declaration order.</summary>
    public static IReadOnlyList<string> Kinds { get; } = [.. SourceProperties.Select(KindOf)];

    /// <summary>The property of <see cref="SourceSpec"/> whose type is <paramref name="specType"/>.</summary>
    public static PropertyInfo PropertyFor(Type specType) =>
        SourceProperties.SingleOrDefault(p => p.PropertyType == specType)
        ?? throw new InvalidOperationException($"SourceSpec has no property of type {specType.Name}: add one for the source.");

    internal static string KindOf(PropertyInfo property) => JsonNamingPolicy.CamelCase.ConvertName(property.Name);
}
