using YamlDotNet.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

// Mirrors of k8s.KubeConfigModels (KubernetesClient 21.0.8) with the same YAML keys, in the shapes YamlDotNet's static
// generator can build (lists, not IEnumerable; object, not dynamic), plus the keys of client-go's kubeconfig
// (k8s.io/client-go/tools/clientcmd/api/v1/types.go) those models lack. KubeconfigReader maps them onto the real
// models, the extra keys onto the Kubeconfig* subclasses of them.
#pragma warning disable CA1002, CA2227 // plain YAML documents: settable lists and dictionaries are the point

[YamlSerializable]
internal sealed class KubeconfigDocument
{
    [YamlMember(Alias = "preferences")]
    public Dictionary<string, object?>? Preferences { get; set; }

    [YamlMember(Alias = "apiVersion")]
    public string? ApiVersion { get; set; }

    [YamlMember(Alias = "kind")]
    public string? Kind { get; set; }

    [YamlMember(Alias = "current-context")]
    public string? CurrentContext { get; set; }

    [YamlMember(Alias = "contexts")]
    public List<KubeconfigNamedContext>? Contexts { get; set; }

    [YamlMember(Alias = "clusters")]
    public List<KubeconfigNamedCluster>? Clusters { get; set; }

    [YamlMember(Alias = "users")]
    public List<KubeconfigNamedUser>? Users { get; set; }

    [YamlMember(Alias = "extensions")]
    public List<KubeconfigNamedExtension>? Extensions { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigNamedCluster
{
    [YamlMember(Alias = "cluster")]
    public KubeconfigCluster? Cluster { get; set; }

    [YamlMember(Alias = "name")]
    public string? Name { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigCluster
{
    [YamlMember(Alias = "certificate-authority")]
    public string? CertificateAuthority { get; set; }

    [YamlMember(Alias = "certificate-authority-data")]
    public string? CertificateAuthorityData { get; set; }

    [YamlMember(Alias = "server")]
    public string? Server { get; set; }

    [YamlMember(Alias = "tls-server-name")]
    public string? TlsServerName { get; set; }

    [YamlMember(Alias = "insecure-skip-tls-verify")]
    public bool SkipTlsVerify { get; set; }

    [YamlMember(Alias = "proxy-url")]
    public string? ProxyUrl { get; set; }

    [YamlMember(Alias = "disable-compression")]
    public bool DisableCompression { get; set; }

    [YamlMember(Alias = "extensions")]
    public List<KubeconfigNamedExtension>? Extensions { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigNamedContext
{
    [YamlMember(Alias = "context")]
    public KubeconfigContextDetails? Context { get; set; }

    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    [YamlMember(Alias = "extensions")]
    public List<KubeconfigNamedExtension>? Extensions { get; set; }

    // KubernetesClient's Context reads a namespace next to name (kubectl does not); kept so nothing read is lost.
    [YamlMember(Alias = "namespace")]
    public string? Namespace { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigContextDetails
{
    [YamlMember(Alias = "cluster")]
    public string? Cluster { get; set; }

    [YamlMember(Alias = "user")]
    public string? User { get; set; }

    [YamlMember(Alias = "namespace")]
    public string? Namespace { get; set; }

    [YamlMember(Alias = "extensions")]
    public List<KubeconfigNamedExtension>? Extensions { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigNamedUser
{
    [YamlMember(Alias = "user")]
    public KubeconfigUser? User { get; set; }

    [YamlMember(Alias = "name")]
    public string? Name { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigUser
{
    [YamlMember(Alias = "client-certificate-data")]
    public string? ClientCertificateData { get; set; }

    [YamlMember(Alias = "client-certificate")]
    public string? ClientCertificate { get; set; }

    [YamlMember(Alias = "client-key-data")]
    public string? ClientKeyData { get; set; }

    [YamlMember(Alias = "client-key")]
    public string? ClientKey { get; set; }

    [YamlMember(Alias = "token")]
    public string? Token { get; set; }

    [YamlMember(Alias = "tokenFile")]
    public string? TokenFile { get; set; }

    [YamlMember(Alias = "as")]
    public string? Impersonate { get; set; }

    [YamlMember(Alias = "as-uid")]
    public string? ImpersonateUid { get; set; }

    [YamlMember(Alias = "as-groups")]
    public List<string>? ImpersonateGroups { get; set; }

    // client-go: a list of strings per key; KubernetesClient's model: one string. Either is read (KubeconfigReader).
    [YamlMember(Alias = "as-user-extra")]
    public Dictionary<string, object?>? ImpersonateUserExtra { get; set; }

    [YamlMember(Alias = "username")]
    public string? UserName { get; set; }

    [YamlMember(Alias = "password")]
    public string? Password { get; set; }

    [YamlMember(Alias = "auth-provider")]
    public KubeconfigAuthProvider? AuthProvider { get; set; }

    [YamlMember(Alias = "extensions")]
    public List<KubeconfigNamedExtension>? Extensions { get; set; }

    [YamlMember(Alias = "exec")]
    public KubeconfigExec? Exec { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigAuthProvider
{
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    [YamlMember(Alias = "config")]
    public Dictionary<string, string>? Config { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigExec
{
    [YamlMember(Alias = "apiVersion")]
    public string? ApiVersion { get; set; }

    [YamlMember(Alias = "command")]
    public string? Command { get; set; }

    [YamlMember(Alias = "env")]
    public List<Dictionary<string, string>>? Env { get; set; }

    [YamlMember(Alias = "args")]
    public List<string>? Args { get; set; }

    [YamlMember(Alias = "installHint")]
    public string? InstallHint { get; set; }

    [YamlMember(Alias = "provideClusterInfo")]
    public bool ProvideClusterInfo { get; set; }

    [YamlMember(Alias = "interactiveMode")]
    public string? InteractiveMode { get; set; }
}

[YamlSerializable]
internal sealed class KubeconfigNamedExtension
{
    [YamlMember(Alias = "name")]
    public string? Name { get; set; }

    [YamlMember(Alias = "extension")]
    public object? Extension { get; set; }
}
#pragma warning restore CA1002, CA2227
