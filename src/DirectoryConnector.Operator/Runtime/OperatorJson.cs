using k8s;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>
/// Puts <see cref="OperatorJsonContext"/> first in KubernetesJson's resolvers. KubernetesJson's options are static and
/// become read-only once used, so this runs when the operator starts (<c>OperatorHost.StartAsync</c>), before any
/// Kubernetes call, and in the test assemblies when they load; a second call is a
/// no-op, and a call after KubernetesJson was used is a programming error that throws rather than leaving a
/// Native AOT build to fail on its first DirectorySync.
/// </summary>
public static class OperatorJson
{
    private static readonly Lock Gate = new();

    /// <summary>Registers the operator's kinds with KubernetesJson once; throws when KubernetesJson was used before.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            KubernetesJson.AddJsonOptions(options =>
            {
                if (options.TypeInfoResolverChain.Contains(OperatorJsonContext.Default))
                {
                    return;
                }

                if (options.IsReadOnly)
                {
                    throw new InvalidOperationException(
                        "KubernetesJson was used before the operator's JSON contracts were registered: call " +
                        $"{nameof(OperatorJson)}.{nameof(Register)} before any Kubernetes call.");
                }

                options.TypeInfoResolverChain.Insert(0, OperatorJsonContext.Default);
            });
        }
    }
}
