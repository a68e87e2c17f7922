namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>A request <see cref="ServerNameApiStandIn"/> served: its Host header, the SNI name of its TLS connection
/// (null when the client sent none), its protocol (HTTP/2, HTTP/1.1) and "METHOD /path".</summary>
public sealed record ServerNameApiRequest(string Host, string? ServerName, string Protocol, string Request);
