using System.Net;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>The token endpoint refused the assertion (<see cref="Error"/> is its OAuth error code, e.g. invalid_grant)
/// or answered with something that is not a token response (<see cref="Error"/> is null).</summary>
internal sealed class GoogleTokenException : Exception
{
    public GoogleTokenException(HttpStatusCode statusCode, string? error, string? description, string? message = null)
        : base(message ?? $"{error}: {description}".TrimEnd(' ', ':'))
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = description;
    }

    public GoogleTokenException()
    {
    }

    public GoogleTokenException(string message)
        : base(message)
    {
    }

    public GoogleTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public HttpStatusCode StatusCode { get; }

    public string? Error { get; }

    public string? ErrorDescription { get; }
}
