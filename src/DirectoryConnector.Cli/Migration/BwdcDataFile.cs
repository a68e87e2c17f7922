using System.Text.Json;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Configuration;

namespace DirectoryConnector.Cli.Migration;

/// <summary>
/// The original connector's data.json in either of its layouts (bitwarden/directory-connector
/// libs/services/state-service/stateMigration.service.ts): the flat one of state version 5 and later
/// (<c>directoryType</c>, <c>sync</c>, <c>directoryLdap</c>, … at the top), or the account-based one of versions 3
/// and 4 (<c>activeUserId</c> naming an object with <c>directorySettings</c> and <c>directoryConfigurations</c>,
/// the server URLs under <c>global</c>). Every key is reported with its path in the file.
/// </summary>
internal sealed class BwdcDataFile
{
    private static readonly Dictionary<BwdcDirectoryType, string[]> FlatKeys = new()
    {
        [BwdcDirectoryType.Ldap] = ["directoryLdap"],
        [BwdcDirectoryType.EntraId] = ["directoryEntra"],
        [BwdcDirectoryType.GSuite] = ["directoryGsuite"],
        [BwdcDirectoryType.Okta] = ["directoryOkta"],
        [BwdcDirectoryType.OneLogin] = ["directoryOnelogin"],
    };

    // Before state version 5 Entra ID was "azure" (still read when "entra" is absent).
    private static readonly Dictionary<BwdcDirectoryType, string[]> AccountKeys = new()
    {
        [BwdcDirectoryType.Ldap] = ["ldap"],
        [BwdcDirectoryType.EntraId] = ["entra", "azure"],
        [BwdcDirectoryType.GSuite] = ["gsuite"],
        [BwdcDirectoryType.Okta] = ["okta"],
        [BwdcDirectoryType.OneLogin] = ["oneLogin"],
    };

    private readonly DataJsonObject configurations;
    private readonly Dictionary<BwdcDirectoryType, string[]> configurationKeys;

    private BwdcDataFile(DataJsonObject root, DataJsonObject settings, DataJsonObject configurations, Dictionary<BwdcDirectoryType, string[]> configurationKeys, DataJsonObject? environmentUrls)
    {
        Root = root;
        Settings = settings;
        this.configurations = configurations;
        this.configurationKeys = configurationKeys;
        EnvironmentUrls = environmentUrls;
    }

    /// <summary>The whole file.</summary>
    public DataJsonObject Root { get; }

    /// <summary>Where directoryType, organizationId and sync are: the top level, or the account's directorySettings.</summary>
    public DataJsonObject Settings { get; }

    /// <summary>environmentUrls (base, api, identity, webVault), or null for Bitwarden's US cloud.</summary>
    public DataJsonObject? EnvironmentUrls { get; }

    /// <summary>Parses the text; not JSON, or no JSON object, is a <see cref="BwdcDataException"/>.</summary>
    public static BwdcDataFile Parse(string text)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new BwdcDataException("data.json", $"is not JSON ({JsonErrorText.Describe(e)}): give the data.json of the original connector (`bwdc data-file` prints where it is)");
        }

        if (node is not JsonObject json)
        {
            throw new BwdcDataException("data.json", "is not a JSON object: give the data.json of the original connector (`bwdc data-file` prints where it is)");
        }

        var root = new DataJsonObject(json, "");
        if (json["directoryType"] is null && root.Text("activeUserId") is { } userId && root.Object(userId) is { } account)
        {
            var settings = account.Object("directorySettings")
                ?? throw new BwdcDataException(account.KeyPath("directorySettings"), "is missing: this data.json has no directory configured");
            var configurations = account.Object("directoryConfigurations")
                ?? throw new BwdcDataException(account.KeyPath("directoryConfigurations"), "is missing: this data.json has no directory configured");
            return new BwdcDataFile(root, settings, configurations, AccountKeys, root.Object("global")?.Object("environmentUrls"));
        }

        return new BwdcDataFile(root, root, root, FlatKeys, root.Object("environmentUrls"));
    }

    /// <summary>directoryType; missing or unknown is a <see cref="BwdcDataException"/> naming it.</summary>
    public BwdcDirectoryType DirectoryType
    {
        get
        {
            const string Known = "0 (LDAP / Active Directory), 1 (Entra ID), 2 (Google Workspace), 3 (Okta) or 4 (OneLogin)";
            var key = Settings.KeyPath("directoryType");
            var value = Settings.Integer("directoryType") ?? throw new BwdcDataException(key, $"is missing: no directory is configured in this data.json; it must be {Known}");
            return Enum.IsDefined((BwdcDirectoryType)value)
                ? (BwdcDirectoryType)value
                : throw new BwdcDataException(key, $"{value} is not a directory type of the original connector: expected {Known}");
        }
    }

    /// <summary>The configuration object of <paramref name="type"/> (directoryLdap, …); missing is a
    /// <see cref="BwdcDataException"/> naming the key.</summary>
    public DataJsonObject Configuration(BwdcDirectoryType type)
    {
        foreach (var key in configurationKeys[type])
        {
            if (configurations.Object(key) is { } found)
            {
                return found;
            }
        }

        throw new BwdcDataException(configurations.KeyPath(configurationKeys[type][0]),
            $"is missing, but directoryType is {(int)type}: configure the directory in the original connector first, or fix directoryType");
    }

    /// <summary>The configuration objects of the other directory types that are present (left over from earlier settings).</summary>
    public IEnumerable<(BwdcDirectoryType Type, DataJsonObject Configuration)> OtherConfigurations(BwdcDirectoryType type)
    {
        foreach (var (other, keys) in configurationKeys)
        {
            if (other == type)
            {
                continue;
            }

            foreach (var key in keys)
            {
                if (configurations.Object(key) is { } found)
                {
                    yield return (other, found);
                }
            }
        }
    }
}
