using YamlDotNet.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>YamlDotNet's compile-time generated object factory and type inspector for the kubeconfig documents.</summary>
[YamlStaticContext]
public partial class KubeconfigYamlContext : StaticContext;
