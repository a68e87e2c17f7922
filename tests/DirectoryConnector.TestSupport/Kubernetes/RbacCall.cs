namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>An API call as RBAC authorizes it; <paramref name="Namespace"/> is null for cluster-wide calls.</summary>
public sealed record RbacCall(string ApiGroup, string Resource, string Verb, string? Namespace)
{
    public override string ToString() => $"{Verb} {(ApiGroup.Length == 0 ? "" : ApiGroup + "/")}{Resource}{(Namespace is null ? " (all namespaces)" : $" in {Namespace}")}";
}
