namespace DirectoryConnector.Operator.Hosting;

/// <summary>Leadership of the Lease was lost: work stopped, and the process should exit so Kubernetes restarts it.</summary>
public sealed class LeadershipLostException(string message) : Exception(message);
