namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>
/// One request the emulator served, as the API server's authorizer sees it: the caller (bearer token), method, path
/// and query, plus the Accept header it negotiated the response with. <see cref="Authorization"/> turns it into the
/// RBAC attributes (API group, resource, verb, namespace). <see cref="Impersonation"/> holds the Impersonate-* headers
/// (user, uid, groups, extras), each with its values in order.
/// </summary>
public sealed record RecordedRequest(string? BearerToken, string Method, string Path, IReadOnlyDictionary<string, string> Query, string? Accept = null,
    IReadOnlyDictionary<string, IReadOnlyList<string>>? Impersonation = null)
{
    /// <summary>
    /// The RBAC request attributes (k8s.io/apiserver pkg/endpoints/request RequestInfoFactory): GET on an object is
    /// get, on a collection list, or watch with watch=true; POST create, PUT update, PATCH patch, DELETE delete (on a
    /// collection deletecollection). Null for non-resource paths (discovery, /version, /openapi).
    /// </summary>
    public RbacCall? Authorization
    {
        get
        {
            var parts = Path.Trim('/').Split('/');
            int rest;
            string group;
            if (parts is ["api", _, ..])
            {
                (group, rest) = ("", 2);
            }
            else if (parts is ["apis", _, _, ..])
            {
                (group, rest) = (parts[1], 3);
            }
            else
            {
                return null;
            }

            string? ns = null;
            if (parts.Length > rest + 1 && parts[rest] == "namespaces" && parts.Length > rest + 2)
            {
                ns = parts[rest + 1];
                rest += 2;
            }

            if (parts.Length <= rest)
            {
                return null;
            }

            var resource = parts[rest];
            var name = parts.Length > rest + 1 ? parts[rest + 1] : null;
            if (parts.Length > rest + 2)
            {
                resource += "/" + parts[rest + 2];
            }

            var watch = Query.TryGetValue("watch", out var w) && w is "true" or "1";
            var verb = (Method, name) switch
            {
                ("GET", null) => watch ? "watch" : "list",
                ("GET", _) => watch ? "watch" : "get",
                ("POST", _) => "create",
                ("PUT", _) => "update",
                ("PATCH", _) => "patch",
                ("DELETE", null) => "deletecollection",
                ("DELETE", _) => "delete",
                _ => Method.ToLowerInvariant(),
            };
            return new RbacCall(group, resource, verb, ns);
        }
    }
}
