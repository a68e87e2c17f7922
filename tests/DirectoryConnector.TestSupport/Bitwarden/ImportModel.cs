using System.Text.Json;

namespace DirectoryConnector.TestSupport.Bitwarden;

public sealed record ImportedGroup(string Name, string ExternalId, IReadOnlyList<string>? MemberExternalIds);

public sealed record ImportedMember(string? Email, string ExternalId, bool Deleted);

/// <summary>OrganizationImportRequestModel after model binding. Null arrays stay null: the server only fails on them later (500).</summary>
public sealed record ImportModel(
    IReadOnlyList<ImportedGroup>? Groups,
    IReadOnlyList<ImportedMember>? Members,
    bool OverwriteExisting,
    bool LargeImport,
    bool InviteUsersAfterProvisioning)
{
    /// <summary>Binds and validates like ASP.NET Core with System.Text.Json and the model's DataAnnotations
    /// (bitwarden-api.md §1.4): case-insensitive names, permissive strings for external ids, 400 with model-state errors.</summary>
    public static ImportModel Bind(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            throw Invalid(new() { [""] = ["A non-empty request body is required."] });
        }

        JsonElement root;
        try
        {
            using var document = JsonDocument.Parse(body);
            root = document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            throw Invalid(new() { ["$"] = [exception.Message] });
        }

        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(new() { ["$"] = ["The JSON value could not be converted to OrganizationImportRequestModel."] });
        }

        var errors = new Dictionary<string, List<string>>();
        var overwrite = Bool(root, "overwriteExisting", "$.overwriteExisting", null, nullable: true);
        if (overwrite is null)
        {
            Add(errors, "OverwriteExisting", "The OverwriteExisting field is required.");
        }

        var largeImport = Bool(root, "largeImport", "$.largeImport", false) ?? false;
        var invite = Bool(root, "inviteUsersAfterProvisioning", "$.inviteUsersAfterProvisioning", true) ?? true;

        List<ImportedGroup>? groups = null;
        if (Array(root, "groups", "$.groups") is { } groupArray)
        {
            groups = [];
            foreach (var (item, index) in groupArray.EnumerateArray().Select((e, i) => (e, i)))
            {
                var path = $"$.groups[{index}]";
                ExpectObject(item, path);
                var name = String(item, "name", path + ".name");
                var externalId = PermissiveString(item, "externalId", path + ".externalId");
                List<string>? memberIds = null;
                if (Array(item, "memberExternalIds", path + ".memberExternalIds") is { } ids)
                {
                    memberIds = [.. ids.EnumerateArray().Select((e, i) => PermissiveValue(e, $"{path}.memberExternalIds[{i}]") ?? "")];
                }

                RequiredLength(errors, $"Groups[{index}].Name", "Name", name, 100);
                RequiredLength(errors, $"Groups[{index}].ExternalId", "ExternalId", externalId, 300);
                groups.Add(new ImportedGroup(name ?? "", externalId ?? "", memberIds));
            }
        }

        List<ImportedMember>? members = null;
        if (Array(root, "members", "$.members") is { } memberArray)
        {
            members = [];
            foreach (var (item, index) in memberArray.EnumerateArray().Select((e, i) => (e, i)))
            {
                var path = $"$.members[{index}]";
                ExpectObject(item, path);
                var email = String(item, "email", path + ".email");
                var externalId = PermissiveString(item, "externalId", path + ".externalId");
                var deleted = Bool(item, "deleted", path + ".deleted", false) ?? false;
                var before = errors.Count;
                if (email is not null && !IsEmailAddress(email))
                {
                    Add(errors, $"Members[{index}].Email", "The Email field is not a valid e-mail address.");
                }

                if (email is { Length: > 256 })
                {
                    Add(errors, $"Members[{index}].Email", "The field Email must be a string with a maximum length of 256.");
                }

                RequiredLength(errors, $"Members[{index}].ExternalId", "ExternalId", externalId, 300);
                // IValidatableObject runs only when the property attributes passed.
                if (errors.Count == before && !deleted && string.IsNullOrWhiteSpace(email))
                {
                    Add(errors, $"Members[{index}].Email", "Email is required for enabled members.");
                }

                members.Add(new ImportedMember(email, externalId ?? "", deleted));
            }
        }

        if (errors.Count > 0)
        {
            throw Invalid(errors);
        }

        return new ImportModel(groups, members, overwrite!.Value, largeImport, invite);
    }

    /// <summary>System.ComponentModel.DataAnnotations.EmailAddressAttribute.</summary>
    private static bool IsEmailAddress(string value)
    {
        if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal))
        {
            return false;
        }

        var at = value.IndexOf('@', StringComparison.Ordinal);
        return at > 0 && at != value.Length - 1 && at == value.LastIndexOf('@');
    }

    private static void RequiredLength(Dictionary<string, List<string>> errors, string key, string field, string? value, int maximum)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(errors, key, $"The {field} field is required.");
        }
        else if (value.Length > maximum)
        {
            Add(errors, key, $"The field {field} must be a string with a maximum length of {maximum}.");
        }
    }

    /// <summary>MvcOptions.MaxModelValidationErrors (200): ModelStateDictionary keeps 199 errors, then one under the empty key.</summary>
    public const int MaxModelValidationErrors = 200;

    public const string MaxErrorsReached = "The maximum number of allowed model errors has been reached.";

    private static void Add(Dictionary<string, List<string>> errors, string key, string message)
    {
        var count = errors.Values.Sum(l => l.Count);
        if (count >= MaxModelValidationErrors - 1)
        {
            if (!errors.ContainsKey(""))
            {
                errors[""] = [MaxErrorsReached];
            }

            return;
        }

        if (!errors.TryGetValue(key, out var list))
        {
            errors[key] = list = [];
        }

        list.Add(message);
    }

    private static JsonElement? Property(JsonElement owner, string name)
    {
        foreach (var property in owner.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value;
            }
        }

        return null;
    }

    private static void ExpectObject(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw Converting(path, "an object");
        }
    }

    /// <summary>bool (null is a conversion error, as System.Text.Json reports it) or bool? (null allowed).</summary>
    private static bool? Bool(JsonElement owner, string name, string path, bool? absent, bool nullable = false) => Property(owner, name) switch
    {
        null => absent,
        { ValueKind: JsonValueKind.Null } when nullable => null,
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        _ => throw Converting(path, "System.Boolean"),
    };

    private static string? String(JsonElement owner, string name, string path) => Property(owner, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.String } value => value.GetString(),
        _ => throw Converting(path, "System.String"),
    };

    private static string? PermissiveString(JsonElement owner, string name, string path) =>
        Property(owner, name) is { } value ? PermissiveValue(value, path) : null;

    /// <summary>PermissiveStringConverter: numbers and booleans become strings.</summary>
    private static string? PermissiveValue(JsonElement value, string path) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => throw Converting(path, "System.String"),
    };

    private static JsonElement? Array(JsonElement owner, string name, string path) => Property(owner, name) switch
    {
        null or { ValueKind: JsonValueKind.Null } => null,
        { ValueKind: JsonValueKind.Array } value => value,
        _ => throw Converting(path, "an array"),
    };

    private static StandInHttpException Converting(string path, string type) =>
        Invalid(new() { [path] = [$"The JSON value could not be converted to {type}. Path: {path}"] });

    private static StandInHttpException Invalid(Dictionary<string, List<string>> errors) =>
        new(400, StandInHttpException.ModelStateInvalid, errors);
}
