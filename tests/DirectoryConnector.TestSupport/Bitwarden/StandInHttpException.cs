namespace DirectoryConnector.TestSupport.Bitwarden;

/// <summary>An error answer of the stand-in, in Bitwarden's ErrorResponseModel shape. <paramref name="cause"/> says, for
/// test diagnostics, what the real server would have hit (e.g. a duplicate key behind an unhandled 500).</summary>
public sealed class StandInHttpException(int statusCode, string message, IReadOnlyDictionary<string, List<string>>? errors = null, string? cause = null)
    : Exception(message)
{
    public const string UnhandledMessage = "An unhandled server error has occurred.";
    public const string ModelStateInvalid = "The request's model state is invalid.";

    public int StatusCode { get; } = statusCode;

    public IReadOnlyDictionary<string, List<string>>? Errors { get; } = errors;

    public string? Cause { get; } = cause;

    public static StandInHttpException Unhandled(string cause) => new(500, UnhandledMessage, cause: cause);

    public static StandInHttpException BadRequest(string message) => new(400, message);

    public static StandInHttpException NotFound() => new(404, "Resource not found.");
}
