namespace DirectoryConnector.Operator.Runtime;

/// <summary>One page-complete LIST: the items and the resourceVersion to watch from.</summary>
public sealed record ListResult<T>(IReadOnlyList<T> Items, string ResourceVersion);
