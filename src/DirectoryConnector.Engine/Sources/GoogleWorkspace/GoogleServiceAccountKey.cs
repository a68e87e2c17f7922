using System.Text.Json;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.GoogleWorkspace;

/// <summary>
/// A service account's JSON key as Google Cloud issues it (https://cloud.google.com/iam/docs/keys-create-delete):
/// type service_account, client_email, client_id, private_key_id and a PKCS#8 PEM private_key.
/// Parsed with a compile-time contract; errors name the Secret key, never its content.
/// </summary>
internal sealed record GoogleServiceAccountKey(string ClientEmail, string? ClientId, string? PrivateKeyId, string? ProjectId, string PrivateKey)
{
    /// <summary>Throws SyncFailedException(InvalidSpec) naming <paramref name="field"/> and <paramref name="secret"/>
    /// ("key key.json of Secret google-sa") when the text is not a service-account JSON key.</summary>
    public static GoogleServiceAccountKey Parse(string json, string field, string secret)
    {
        const string Fix = "Put the service account's JSON key there as Google Cloud issues it (IAM › Service accounts › Keys › Add key › JSON); "
            + "the original connector's clientEmail and privateKey are both inside that file.";
        GoogleServiceAccountKeyFile? parameters;
        try
        {
            parameters = string.IsNullOrWhiteSpace(json) ? null : JsonSerializer.Deserialize(json, GoogleAuthJsonContext.Default.GoogleServiceAccountKeyFile);
        }
        catch (JsonException)
        {
            // The parser's message quotes the text it choked on: that could be key material, so it is not passed on.
            throw Invalid($"{field}: the {secret} is not JSON. {Fix}");
        }

        if (parameters is null)
        {
            throw Invalid($"{field}: the {secret} is empty. {Fix}");
        }

        if (parameters.Type != "service_account")
        {
            var type = parameters.Type is null ? "no type" : $"type '{Sanitize(parameters.Type)}'";
            throw Invalid($"{field}: the {secret} holds a JSON credential of {type}, not a service-account key (type service_account). {Fix}");
        }

        var missing = new[] { ("client_email", parameters.ClientEmail), ("private_key", parameters.PrivateKey) }
            .Where(p => string.IsNullOrWhiteSpace(p.Item2)).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            throw Invalid($"{field}: the {secret} is a service-account key without {string.Join(" and ", missing)}. {Fix}");
        }

        return new GoogleServiceAccountKey(parameters.ClientEmail!, parameters.ClientId, parameters.PrivateKeyId, parameters.ProjectId, parameters.PrivateKey!);
    }

    /// <summary>The credential that signs JWT assertions for <paramref name="subject"/> with this key.
    /// Throws SyncFailedException(InvalidSpec) when private_key is not a PEM RSA key.</summary>
    public GoogleServiceAccountCredential CreateCredential(string subject, IEnumerable<string> scopes, Uri tokenUrl, string field, string secret)
    {
        try
        {
            return GoogleServiceAccountCredential.Create(this, subject, scopes, tokenUrl, TimeProvider.System);
        }
        catch (FormatException)
        {
            throw Invalid($"{field}: the private_key in the {secret} is not a PEM RSA private key. Create a new JSON key for {ClientEmail} and store it unchanged.");
        }
    }

    // Keeps a type value printable and short; a key pasted into the wrong field never gets this far (it is not JSON).
    private static string Sanitize(string text) => new([.. text.Where(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-').Take(40)]);

    private static SyncFailedException Invalid(string message) => new(SyncFailureReason.InvalidSpec, message, retryable: false);
}
