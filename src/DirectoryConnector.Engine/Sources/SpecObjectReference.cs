using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Engine.Sources;

/// <summary>A Secret or ConfigMap, in the DirectorySync's own namespace, that a spec reads. The operator watches
/// them, so a rotation resyncs.</summary>
public sealed record SpecObjectReference(SpecObjectKind Kind, string Name)
{
    /// <summary>Every <see cref="SecretKeyRef"/>, <see cref="ApiKeySecretRef"/> and <see cref="ConfigMapKeyRef"/>
    /// with a name, found by walking the public properties of <paramref name="spec"/> (specs are small trees).</summary>
    public static IReadOnlyList<SpecObjectReference> FindIn(object? spec)
    {
        var found = new List<SpecObjectReference>();
        Walk(spec, found, depth: 0);
        return found;
    }

    [UnconditionalSuppressMessage("Trimming", "IL2075", Justification = "The walk only meets the spec types of "
        + "DirectoryConnector.Engine (DirectorySyncSpec and the types of its properties, source specs included), an assembly "
        + "the AOT publish roots (TrimmerRootAssembly), so their public properties are kept.")]
    private static void Walk(object? value, List<SpecObjectReference> found, int depth)
    {
        switch (value)
        {
            case null or string or ValueType:
                return;
            case SecretKeyRef { Name.Length: > 0 } secret:
                found.Add(new(SpecObjectKind.Secret, secret.Name));
                return;
            case ApiKeySecretRef { Name.Length: > 0 } apiKey:
                found.Add(new(SpecObjectKind.Secret, apiKey.Name));
                return;
            case ConfigMapKeyRef { Name.Length: > 0 } configMap:
                found.Add(new(SpecObjectKind.ConfigMap, configMap.Name));
                return;
            case IEnumerable items:
                foreach (var item in items)
                {
                    Walk(item, found, depth + 1);
                }

                return;
        }

        // Spec types are trees of plain classes; the depth bound only guards against a future cycle.
        if (depth > 16)
        {
            return;
        }

        foreach (var property in value.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.CanWrite)
            {
                Walk(property.GetValue(value), found, depth + 1);
            }
        }
    }
}
