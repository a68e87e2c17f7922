namespace DirectoryConnector.Cli.Migration;

/// <summary>A Secret manifest the DirectorySync references, with placeholders where the original connector kept the
/// value in the OS keychain. <paramref name="Comment"/> lines go above it in the YAML.</summary>
internal sealed record PlaceholderSecret(string Name, IReadOnlyList<string> Comment, IReadOnlyList<KeyValuePair<string, string>> StringData)
{
    public const string ClientSecret = "REPLACE-WITH-CLIENT-SECRET";
    public const string OrganizationId = "REPLACE-WITH-ORGANIZATION-ID";
    public const string BindPassword = "REPLACE-WITH-BIND-PASSWORD";
    public const string DirectoryClientSecret = "REPLACE-WITH-DIRECTORY-CLIENT-SECRET";
    public const string ApiToken = "REPLACE-WITH-API-TOKEN";
    public const string PrivateKey = "REPLACE-WITH-THE-PRIVATE-KEY";
    public const string CaCertificate = "REPLACE WITH THE PEM CERTIFICATE OF THE CA";
}
