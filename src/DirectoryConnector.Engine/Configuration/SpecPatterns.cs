namespace DirectoryConnector.Engine.Configuration;

/// <summary>Patterns of spec fields, used as [RegularExpression] attributes (the CRD generator turns them into schema
/// patterns, so the API server rejects bad values at apply time).</summary>
public static class SpecPatterns
{
    /// <summary>An absolute http(s) URL without query or fragment.</summary>
    public const string HttpUrl = "^https?://[^\\s/?#]+(/[^\\s?#]*)?$";

    /// <summary><see cref="HttpUrl"/>, or empty: optional overrides are written as "" in samples to mean "derive it".</summary>
    public const string HttpUrlOrEmpty = "^(https?://[^\\s/?#]+(/[^\\s?#]*)?)?$";

    /// <summary>A GUID in its 8-4-4-4-12 form, or empty.</summary>
    public const string GuidOrEmpty = "^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})?$";

    /// <summary>A DNS-1123 subdomain: what Kubernetes accepts as a Secret or ConfigMap name (253 characters at most).</summary>
    public const string ObjectName = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";

    /// <summary>A key of a Secret's or ConfigMap's data.</summary>
    public const string DataKey = "^[-._a-zA-Z0-9]+$";
}
