using System.Text.Json.Nodes;

namespace DirectoryConnector.TestSupport.Kubernetes;

/// <summary>An API error, answered as a meta/v1 Status with the code, reason and details the real server uses.</summary>
public sealed class KubeApiException : Exception
{
    public KubeApiException()
        : this(500, "InternalError", "internal error")
    {
    }

    public KubeApiException(string message)
        : this(500, "InternalError", message)
    {
    }

    public KubeApiException(string message, Exception innerException)
        : base(message, innerException)
    {
        Code = 500;
        Reason = "InternalError";
    }

    public KubeApiException(int code, string reason, string message, JsonObject? details = null)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Details = details;
    }

    public int Code { get; }

    public string Reason { get; }

    public JsonObject? Details { get; }

    public JsonObject ToStatus() => StatusObject(Code, Reason, Message, Details);

    public static JsonObject StatusObject(int code, string reason, string message, JsonObject? details = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    // StatusDetails as the server encodes it: group is omitted (omitempty) for the core group.
    private static JsonObject DetailsFor(ApiResourceType type, string name)
    {
        var details = new JsonObject { ["name"] = name };
        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        return details;
    }

    public static KubeApiException NotFound(ApiResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedName} \"{name}\" not found", DetailsFor(type, name));

    public static KubeApiException AlreadyExists(ApiResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedName} \"{name}\" already exists", DetailsFor(type, name));

    public static KubeApiException Conflict(ApiResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedName} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            DetailsFor(type, name));

    public static KubeApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubeApiException Invalid(ApiResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var summary = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        var details = new JsonObject
        {
            ["name"] = name,
            ["group"] = type.Group,
            ["kind"] = type.Kind,
            ["causes"] = new JsonArray([.. errors.Select(e => (JsonNode)new JsonObject
            {
                ["reason"] = e.Reason,
                ["message"] = e.Message,
                ["field"] = e.Field,
            })]),
        };
        return new KubeApiException(422, "Invalid", $"{type.QualifiedKind} \"{name}\" is invalid: {summary}", details);
    }
}
