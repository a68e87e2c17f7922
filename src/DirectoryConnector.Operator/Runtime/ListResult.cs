using System.Collections.Concurrent;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;

namespace DirectoryConnector.Operator.Runtime;

/// <summary>One page-complete LIST: the items and the resourceVersion to watch from.</summary>
public sealed record ListResult<T>(IReadOnlyList<T> Items, string ResourceVersion);
