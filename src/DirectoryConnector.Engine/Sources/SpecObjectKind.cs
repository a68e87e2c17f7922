namespace DirectoryConnector.Engine.Sources;

/// <summary>What a spec can reference in its own namespace.</summary>
public enum SpecObjectKind
{
    Secret,
    ConfigMap,
}
