namespace DirectoryConnector.Operator.Runtime;

/// <summary>A reconcile failed in a way that retrying may fix: the work queue backs the key off and logs the message
/// without a stack trace (other exceptions are logged as unexpected).</summary>
public sealed class RequeueWithBackoffException(string message, Exception innerException) : Exception(message, innerException);
