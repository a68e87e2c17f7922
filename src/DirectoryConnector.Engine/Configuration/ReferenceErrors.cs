using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Configuration;

/// <summary>
/// The SecretNotFound messages of every host in one place: each starts with the spec field that refers to the missing
/// Secret, ConfigMap or key, names the object (never a value) and says what to do. The host says only where it looked
/// (the DirectorySync's namespace, the files given with -f) and how an object is added there.
/// </summary>
public static class ReferenceErrors
{
    /// <summary>The object does not exist. <paramref name="keyField"/> is the spec field naming the key (e.g.
    /// spec.source.ldap.passwordSecretRef.key); the object's name is in the field beside it (….name).</summary>
    /// <param name="location">Where the host looked, e.g. in namespace "bitwarden".</param>
    /// <param name="remedy">How to add the object on this host, e.g. create it there.</param>
    public static SyncFailedException NotFound(string kind, string name, string keyField, string location, string remedy, Exception? inner = null)
    {
        var nameField = NameField(keyField);
        return new(SyncFailureReason.SecretNotFound,
            $"{nameField}: {kind} \"{name}\" was not found {location}; {remedy}, or set {nameField} to a {kind} that exists.", retryable: false, inner);
    }

    /// <summary>The object exists without the key; lists the keys it has (names only).</summary>
    /// <param name="location">Where the object is, e.g. in namespace "bitwarden".</param>
    public static SyncFailedException MissingKey(string kind, string name, string key, string keyField, string location, IEnumerable<string>? keysPresent)
    {
        var keys = keysPresent?.Order(StringComparer.Ordinal).ToList() ?? [];
        return new(SyncFailureReason.SecretNotFound,
            $"{keyField}: {kind} \"{name}\" {location} has no key \"{key}\" (keys present: {(keys.Count == 0 ? "none" : string.Join(", ", keys))}); "
            + $"add the key to the {kind}, or set {keyField} to a key it has.", retryable: false);
    }

    // spec.x.passwordSecretRef.key -> spec.x.passwordSecretRef.name (apiKeySecretRef.clientIdKey alike).
    private static string NameField(string keyField)
        => keyField.LastIndexOf('.') is var dot and > 0 ? $"{keyField[..dot]}.name" : keyField;
}
