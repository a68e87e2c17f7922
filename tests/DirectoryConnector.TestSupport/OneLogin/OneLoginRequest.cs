namespace DirectoryConnector.TestSupport.OneLogin;

/// <summary>One request the OneLogin stand-in received and the status it answered.</summary>
public sealed record OneLoginRequest(DateTimeOffset Time, string Method, string Path, string Query, string Authorization, int StatusCode);
