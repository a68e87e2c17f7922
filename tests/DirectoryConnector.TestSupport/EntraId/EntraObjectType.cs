namespace DirectoryConnector.TestSupport.EntraId;

/// <summary>The directory object types a group can hold as members (their @odata.type is #microsoft.graph.{name}).</summary>
public enum EntraObjectType
{
    User,
    Group,
    Device,
    OrgContact,
    ServicePrincipal,
}
