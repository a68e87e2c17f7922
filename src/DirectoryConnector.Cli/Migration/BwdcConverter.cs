using System.Globalization;
using System.Text.Json.Nodes;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Cli.Migration;

/// <summary>
/// Turns the original Bitwarden Directory Connector's data.json into a DirectorySync spec and the Secrets it needs.
/// Every key is either mapped onto its spec field, or reported (<see cref="MigrationNote"/>) with the reason it is
/// not carried over. Secrets are never copied, not even those data.json holds in plain text
/// (BITWARDENCLI_CONNECTOR_PLAINTEXT_SECRETS): the Secrets get placeholders, so the output can go to Git as it is.
/// Upstream model: bitwarden/directory-connector libs/models/*Configuration.ts, syncConfiguration.ts,
/// libs/services/environment/environment.service.ts, directory-services/*.ts.
/// </summary>
internal sealed class BwdcConverter
{
    /// <summary>The value the original writes in place of a secret it keeps in the OS keychain (libs/models/state.model.ts).</summary>
    public const string StoredSecurely = "[STORED SECURELY]";

    private static readonly string[] LdapSyncKeys =
    [
        "groupObjectClass", "userObjectClass", "groupPath", "userPath", "groupNameAttribute", "userEmailAttribute",
        "memberAttribute", "useEmailPrefixSuffix", "emailPrefixAttribute", "emailSuffix", "creationDateAttribute", "revisionDateAttribute",
    ];

    // The original's sync state and the desktop app's own settings: meaningful only to it.
    private static readonly string[] SyncStateKeys = ["lastUserSync", "lastGroupSync", "lastSyncHash", "userDeltaToken", "groupDeltaToken", "userDelta", "groupDelta", "syncingDir"];

    private static readonly string[] AppKeys =
    [
        "stateVersion", "installedVersion", "appId", "anonymousAppId", "entityId", "window", "enableAlwaysOnTop", "enableTray",
        "enableMinimizeToTray", "enableCloseToTray", "alwaysShowDock", "locale", "global", "accessToken", "refreshToken",
        "twoFactorToken", "apiKeyClientId", "apiKeyClientSecret",
    ];

    private readonly List<MigrationNote> notes = [];
    private readonly List<PlaceholderSecret> secrets = [];
    private readonly string name;
    private readonly string kubectlCreateSecret;

    private BwdcConverter(string name, string? namespaceName)
    {
        this.name = name;
        kubectlCreateSecret = namespaceName is null ? "kubectl create secret generic" : $"kubectl -n {namespaceName} create secret generic";
    }

    /// <summary>The DirectorySync name used when none is given: the kind of directory.</summary>
    public static string DefaultName(BwdcDirectoryType type, bool activeDirectory) => type switch
    {
        BwdcDirectoryType.Ldap => activeDirectory ? "active-directory" : "ldap",
        BwdcDirectoryType.EntraId => "entra-id",
        BwdcDirectoryType.GSuite => "google-workspace",
        BwdcDirectoryType.Okta => "okta",
        _ => "onelogin",
    };

    /// <summary>Converts <paramref name="text"/>; throws <see cref="BwdcDataException"/> naming the key when data.json
    /// is not JSON, has an unknown directory type, or lacks a setting the original itself required.</summary>
    public static BwdcConversion Convert(string text, string? name, string? namespaceName)
    {
        var file = BwdcDataFile.Parse(text);
        var type = file.DirectoryType;
        var configuration = file.Configuration(type);
        name ??= DefaultName(type, type == BwdcDirectoryType.Ldap && (configuration.Flag("ad") ?? true));
        return new BwdcConverter(name, namespaceName).Run(file, type, configuration);
    }

    private BwdcConversion Run(BwdcDataFile file, BwdcDirectoryType type, DataJsonObject configuration)
    {
        var settings = file.Settings;
        var sync = settings.Object("sync") ?? throw new BwdcDataException(settings.KeyPath("sync"), "is missing: without sync settings the original connector syncs nothing");
        var spec = new JsonObject();
        var interval = Interval(sync);
        if (interval is not null)
        {
            spec["interval"] = interval;
        }

        spec["bitwarden"] = Bitwarden(file, sync);
        var source = new JsonObject();
        spec["source"] = source;
        switch (type)
        {
            case BwdcDirectoryType.Ldap:
                source["ldap"] = Ldap(configuration, sync);
                break;
            case BwdcDirectoryType.EntraId:
                source["entraId"] = EntraId(configuration);
                break;
            case BwdcDirectoryType.GSuite:
                source["googleWorkspace"] = GoogleWorkspace(configuration);
                break;
            case BwdcDirectoryType.Okta:
                source["okta"] = Okta(configuration);
                break;
            default:
                source["oneLogin"] = OneLogin(configuration, sync);
                break;
        }

        if (type != BwdcDirectoryType.Ldap)
        {
            var unread = sync.UnreadKeys.ToHashSet(StringComparer.Ordinal);
            var ldapOnly = LdapSyncKeys.Where(key => unread.Contains(key) && sync.IsSet(key)).ToList();
            sync.Skip(LdapSyncKeys);
            if (ldapOnly.Count > 0)
            {
                NotCarried(string.Join(", ", ldapOnly.Select(sync.KeyPath)), $"LDAP settings; the original ignores them for directory type {(int)type} too");
            }
        }

        var filters = new JsonObject();
        if (sync.Text("userFilter") is { } users)
        {
            filters["users"] = users;
        }

        if (sync.Text("groupFilter") is { } groups)
        {
            filters["groups"] = groups;
        }

        if (filters.Count > 0)
        {
            spec["filters"] = filters;
        }

        spec["sync"] = SyncOptions(sync, type);
        ReportLeftovers(file, type, sync, configuration);
        return new BwdcConversion(name, spec, secrets, [.. notes.OrderBy(n => n.Kind)]);
    }

    // sync.interval: minutes, used only by the desktop app's scheduler; <= 0 or null is off, < 5 is saved as 5
    // (libs/utils.ts adjustConfigForSave).
    private string? Interval(DataJsonObject sync)
    {
        var minutes = sync.Integer("interval");
        if (minutes is null or <= 0)
        {
            Changed(sync.KeyPath("interval"), $"is off (the original's CLI has no schedule of its own; cron ran it): the operator syncs every {new DirectorySyncSpec().Interval} (spec.interval); "
                + "to keep an outside schedule, run `directory-connector sync` from cron instead of the operator");
            return null;
        }

        if (minutes < 5)
        {
            Changed(sync.KeyPath("interval"), $"{minutes} is below the original's minimum of 5 minutes, which it used instead: spec.interval 5m");
            return "5m";
        }

        return string.Create(CultureInfo.InvariantCulture, $"{minutes}m");
    }

    private JsonObject Bitwarden(BwdcDataFile file, DataJsonObject sync)
    {
        var bitwarden = new JsonObject();
        if (file.EnvironmentUrls is { } urls)
        {
            var server = BaseUrl(urls.Text("base"));
            var api = BaseUrl(urls.Text("api"));
            var identity = BaseUrl(urls.Text("identity"));
            if (server is null && api is not null && identity is not null)
            {
                // Without a base URL, the API and identity URLs of a Bitwarden cloud are that cloud's serverUrl.
                server = new[] { BitwardenSpec.CloudUs, BitwardenSpec.CloudEu }.FirstOrDefault(cloud => Derived(cloud) == (api, identity));
            }

            if (server is not null)
            {
                bitwarden["serverUrl"] = server;
            }

            // Overrides equal to what serverUrl derives are left out.
            var derived = Derived(server ?? BitwardenSpec.CloudUs);
            if (api is not null && api != derived?.Api)
            {
                bitwarden["apiUrl"] = api;
            }

            if (identity is not null && identity != derived?.Identity)
            {
                bitwarden["identityUrl"] = identity;
            }

            if (urls.Text("webVault") is not null)
            {
                NotCarried(urls.KeyPath("webVault"), "only the desktop app's links to the web vault used it; syncing needs the API and identity URLs");
            }

            Report(urls);
        }

        var organizationId = file.Settings.Text("organizationId");
        if (organizationId is not null && Guid.TryParseExact(organizationId, "D", out _))
        {
            bitwarden["organizationId"] = organizationId;
        }
        else if (organizationId is not null)
        {
            NotCarried(file.Settings.KeyPath("organizationId"), $"\"{organizationId}\" is not an organization id (a GUID); the API key's client_id names the organization");
            organizationId = null;
        }

        var secretName = $"{name}-bitwarden-api-key";
        bitwarden["apiKeySecretRef"] = new JsonObject { ["name"] = secretName, ["clientIdKey"] = "client_id", ["clientSecretKey"] = "client_secret" };
        var clientId = file.Root.Text("apiKeyClientId") is { } storedId && storedId.StartsWith("organization.", StringComparison.Ordinal) ? storedId
            : organizationId is not null ? $"organization.{organizationId}" : $"organization.{PlaceholderSecret.OrganizationId}";
        AddSecret(secretName,
            ["The organization API key (the original's `bwdc login`, kept in the OS keychain): Admin Console > Settings > Organization info > View API key."],
            [new("client_id", clientId), new("client_secret", PlaceholderSecret.ClientSecret)]);
        ToDo($"Secret {secretName}", $"put the organization API key's client_secret in key client_secret{(clientId.Contains(PlaceholderSecret.OrganizationId, StringComparison.Ordinal) ? " and its client_id in key client_id" : "")} "
            + $"({kubectlCreateSecret} {secretName} --from-literal=client_id={clientId} --from-literal=client_secret=<client secret>)");
        if (file.Root.Has("apiKeyClientSecret"))
        {
            PlainText(file.Root.KeyPath("apiKeyClientSecret"), $"Secret {secretName}");
        }

        // Installs from before the setting always sent invitations; the original's state migration v7 -> v8 keeps that.
        var invite = sync.Flag("inviteUsersAfterProvisioning") ?? true;
        bitwarden["inviteUsersAfterProvisioning"] = invite;
        return bitwarden;
    }

    private JsonObject Ldap(DataJsonObject ldap, DataJsonObject sync)
    {
        var spec = new JsonObject { ["hostname"] = ldap.RequireText("hostname", "the LDAP server's host name") };
        var ssl = ldap.Flag("ssl") ?? false;
        var startTls = ldap.Flag("startTls") ?? false;

        // The original connects to ldaps:// when ssl and not startTls, and runs StartTLS only when both are on.
        var encryption = ssl ? (startTls ? "startTls" : "ldaps") : "none";
        if (!ssl && startTls)
        {
            Changed(ldap.KeyPath("startTls"), $"is true but {ldap.KeyPath("ssl")} is false, so the original connected without TLS: converted as encryption none. Set encryption: startTls to protect the bind password");
        }

        // The original's port defaults to 389 whatever the encryption; spec.source.ldap.port would default to 636 for ldaps.
        spec["port"] = ldap.Integer("port") ?? 389;
        spec["encryption"] = encryption;
        var caKey = encryption switch { "startTls" => "tlsCaPath", "ldaps" => "sslCaPath", _ => null };
        foreach (var key in new[] { "tlsCaPath", "sslCaPath" })
        {
            if (ldap.Text(key) is not null && key != caKey)
            {
                NotCarried(ldap.KeyPath(key), encryption == "none" ? "the connection uses no TLS" : $"the original uses it only with {(key == "tlsCaPath" ? "StartTLS" : "LDAPS")}, not with {encryption}");
            }
        }

        var caPath = caKey is null ? null : ldap.Text(caKey);
        if (caPath is not null)
        {
            var caSecret = $"{name}-ca";
            spec["caSecretRef"] = new JsonObject { ["name"] = caSecret, ["key"] = "ca.crt" };
            AddSecret(caSecret, [$"The CA certificate(s) the original read from {caPath} ({ldap.KeyPath(caKey!)}), in PEM."],
                [new("ca.crt", $"-----BEGIN CERTIFICATE-----\n{PlaceholderSecret.CaCertificate}\n-----END CERTIFICATE-----\n")]);
            ToDo($"Secret {caSecret}", $"put the PEM file {caPath} in key ca.crt ({kubectlCreateSecret} {caSecret} --from-file=ca.crt={caPath})");
        }

        if (ldap.Flag("sslAllowUnauthorized") == true)
        {
            if (encryption == "none")
            {
                NotCarried(ldap.KeyPath("sslAllowUnauthorized"), "the connection uses no TLS");
            }
            else if (caPath is not null)
            {
                Changed(ldap.KeyPath("sslAllowUnauthorized"), "is true, but a CA is given: the server's certificate is now verified against it (caSecretRef); set insecureSkipVerify instead of caSecretRef only if it cannot be");
            }
            else
            {
                spec["insecureSkipVerify"] = true;
                Changed(ldap.KeyPath("sslAllowUnauthorized"), "carried over as insecureSkipVerify: any certificate is accepted, which lets an attacker read the bind password; prefer caSecretRef with the server's CA");
            }
        }

        foreach (var key in new[] { "sslCertPath", "sslKeyPath" })
        {
            if (ldap.Text(key) is not null)
            {
                NotCarried(ldap.KeyPath(key), "TLS client certificates are not supported: the connector binds with username and password");
            }
        }

        spec["activeDirectory"] = ldap.Flag("ad") ?? true;
        spec["pagedSearch"] = ldap.Flag("pagedSearch") ?? true;
        spec["rootPath"] = RootPath(ldap);
        spec["username"] = ldap.RequireText("username", "the original never binds anonymously");
        var bindSecret = $"{name}-bind-password";
        spec["passwordSecretRef"] = new JsonObject { ["name"] = bindSecret, ["key"] = "password" };
        DirectorySecret(ldap, "password", bindSecret, "password", PlaceholderSecret.BindPassword, $"the bind password of {spec["username"]}");

        foreach (var key in new[] { "userPath", "groupPath", "userObjectClass", "groupObjectClass", "userEmailAttribute", "groupNameAttribute", "memberAttribute" })
        {
            if (sync.Text(key) is { } value)
            {
                spec[key] = value;
            }
        }

        if (sync.Flag("useEmailPrefixSuffix") == true)
        {
            spec["useEmailPrefixSuffix"] = true;
        }

        foreach (var key in new[] { "emailPrefixAttribute", "emailSuffix" })
        {
            if (sync.Text(key) is { } value)
            {
                spec[key] = value;
            }
        }

        if (ldap.Text("domain") is not null)
        {
            NotCarried(ldap.KeyPath("domain"), "the original never used it (it binds with username only)");
        }

        if (ldap.Flag("currentUser") == true)
        {
            NotCarried(ldap.KeyPath("currentUser"), "the original never used it: it always binds with username and password, as the connector does");
        }

        return spec;
    }

    // The original searches from rootPath cut to start at its first "dc=" (what comes before is dropped), and from
    // userPath/groupPath alone when rootPath has no dc= at all (ldap-directory.service.ts makeSearchPath).
    private string RootPath(DataJsonObject ldap)
    {
        var rootPath = ldap.RequireText("rootPath", "the base DN of the original's searches");
        var dc = rootPath.IndexOf("dc=", StringComparison.OrdinalIgnoreCase);
        if (dc < 0)
        {
            Changed(ldap.KeyPath("rootPath"), $"\"{rootPath}\" has no dc= component, so the original ignored it and searched userPath and groupPath as full DNs; here they are relative to rootPath: check both");
            return rootPath;
        }

        if (dc > 0)
        {
            var searched = rootPath[dc..];
            Changed(ldap.KeyPath("rootPath"), $"\"{rootPath}\": the original searched from \"{searched}\" (it drops what comes before the first dc=), so rootPath is \"{searched}\"; "
                + $"to search only below \"{rootPath[..dc].TrimEnd(',', ' ')}\", add it to userPath and groupPath");
            return searched;
        }

        return rootPath;
    }

    private JsonObject EntraId(DataJsonObject entra)
    {
        var spec = new JsonObject
        {
            ["tenant"] = entra.RequireText("tenant", "the tenant id or primary domain"),
            ["applicationId"] = entra.RequireText("applicationId", "the app registration's application (client) id"),
        };
        var secret = $"{name}-client-secret";
        spec["clientSecretRef"] = new JsonObject { ["name"] = secret, ["key"] = "client-secret" };
        DirectorySecret(entra, "key", secret, "client-secret", PlaceholderSecret.DirectoryClientSecret, $"a client secret of application {spec["applicationId"]}");

        // The original accepts exactly these two authorities (entra-id-directory.service.ts).
        switch (entra.Text("identityAuthority")?.ToLowerInvariant())
        {
            case null or "login.microsoftonline.com":
                break;
            case "login.microsoftonline.us":
                spec["cloud"] = "usGovernment";
                Changed(entra.KeyPath("identityAuthority"), "login.microsoftonline.us is cloud usGovernment, which also reads Graph at graph.microsoft.us (the original read users and groups from graph.microsoft.com)");
                break;
            case var other:
                throw new BwdcDataException(entra.KeyPath("identityAuthority"), $"\"{other}\" is neither login.microsoftonline.com nor login.microsoftonline.us, the two the original connector accepts");
        }

        return spec;
    }

    private JsonObject GoogleWorkspace(DataJsonObject google)
    {
        var spec = new JsonObject { ["adminUser"] = google.RequireText("adminUser", "the administrator the service account acts as") };
        if (google.Text("customer") is { } customer)
        {
            spec["customer"] = customer;
        }

        if (google.Text("domain") is { } domain)
        {
            spec["domain"] = domain;
        }

        var clientEmail = google.RequireText("clientEmail", "the service account's email");
        var secret = $"{name}-service-account";
        spec["serviceAccountKeySecretRef"] = new JsonObject { ["name"] = secret, ["key"] = "key.json" };
        var key = new JsonObject
        {
            ["type"] = "service_account",
            ["client_email"] = clientEmail,
            ["private_key"] = $"-----BEGIN PRIVATE KEY-----\n{PlaceholderSecret.PrivateKey}\n-----END PRIVATE KEY-----\n",
            ["token_uri"] = "https://oauth2.googleapis.com/token",
        };
        AddSecret(secret,
            [$"The JSON key of service account {clientEmail}: best the key file exactly as Google Cloud issued it; or keep this",
             $"and put the original's privateKey (the same PEM, kept in the OS keychain) in private_key, newlines as \\n."],
            [new("key.json", key.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true }) + "\n")]);
        ToDo($"Secret {secret}", $"put the JSON key of {clientEmail} in key key.json ({kubectlCreateSecret} {secret} --from-file=key.json=<key file>); "
            + $"{google.KeyPath("clientEmail")} and {google.KeyPath("privateKey")} are both inside that file");
        if (google.Text("privateKey") is { } privateKey && privateKey != StoredSecurely)
        {
            PlainText(google.KeyPath("privateKey"), $"Secret {secret}");
        }

        return spec;
    }

    private JsonObject Okta(DataJsonObject okta)
    {
        var spec = new JsonObject { ["orgUrl"] = okta.RequireText("orgUrl", "the Okta org URL, e.g. https://example.okta.com") };
        var secret = $"{name}-api-token";
        spec["tokenSecretRef"] = new JsonObject { ["name"] = secret, ["key"] = "token" };
        DirectorySecret(okta, "token", secret, "token", PlaceholderSecret.ApiToken, "the Okta API token");
        return spec;
    }

    private JsonObject OneLogin(DataJsonObject oneLogin, DataJsonObject sync)
    {
        var spec = new JsonObject();
        switch (oneLogin.Text("region")?.ToLowerInvariant())
        {
            case null or "us":
                break;
            case "eu":
                spec["region"] = "eu";
                break;
            case var other:
                throw new BwdcDataException(oneLogin.KeyPath("region"), $"\"{other}\" is not a OneLogin region: us or eu");
        }

        spec["clientId"] = oneLogin.RequireText("clientId", "the API credential's client id");
        var secret = $"{name}-client-secret";
        spec["clientSecretRef"] = new JsonObject { ["name"] = secret, ["key"] = "client-secret" };
        DirectorySecret(oneLogin, "clientSecret", secret, "client-secret", PlaceholderSecret.DirectoryClientSecret, $"the client secret of API credential {spec["clientId"]}");
        if (sync.Flag("useEmailPrefixSuffix") == true)
        {
            spec["useEmailPrefixSuffix"] = true;
        }

        if (sync.Text("emailSuffix") is { } suffix)
        {
            spec["emailSuffix"] = suffix;
        }

        sync.Skip("emailPrefixAttribute");
        return spec;
    }

    private JsonObject SyncOptions(DataJsonObject sync, BwdcDirectoryType type)
    {
        var users = sync.Flag("users") ?? false;
        var groups = sync.Flag("groups") ?? false;
        if (!users && !groups)
        {
            throw new BwdcDataException(sync.Path, "users and groups are both false or unset, so the original connector synced nothing: set at least one to true");
        }

        var spec = new JsonObject { ["users"] = users, ["groups"] = groups };
        foreach (var key in new[] { "removeDisabled", "overwriteExisting", "largeImport" })
        {
            if (sync.Flag(key) == true)
            {
                spec[key] = true;
            }
        }

        if (type != BwdcDirectoryType.Ldap)
        {
            return spec;
        }

        if (sync.Text("creationDateAttribute") is { } creation)
        {
            NotCarried(sync.KeyPath("creationDateAttribute"), $"\"{creation}\": the original never used it (its Active Directory mode fills it in)");
        }

        if (sync.Text("revisionDateAttribute") is { } revision)
        {
            NotCarried(sync.KeyPath("revisionDateAttribute"), $"\"{revision}\": the original's incremental read (entries whose {revision} is newer than the last sync) has no setting here: "
                + "a timestamp filter misses deletions and moves, so the connector reads the whole directory (or asks the server for changes where it can) and posts only what changed");
        }

        return spec;
    }

    /// <summary>A directory credential: a placeholder Secret, and a note when data.json holds the value in plain text.</summary>
    private void DirectorySecret(DataJsonObject configuration, string key, string secretName, string secretKey, string placeholder, string what)
    {
        AddSecret(secretName, [$"{Capitalize(what)} ({configuration.KeyPath(key)}; the original kept it in the OS keychain)."], [new(secretKey, placeholder)]);
        ToDo($"Secret {secretName}", $"put {what} in key {secretKey} ({kubectlCreateSecret} {secretName} --from-literal={secretKey}=<value>)");
        if (configuration.Text(key) is { } value && value != StoredSecurely)
        {
            PlainText(configuration.KeyPath(key), $"Secret {secretName}");
        }
    }

    private void PlainText(string key, string secret) =>
        NotCarried(key, $"data.json holds this secret in plain text (BITWARDENCLI_CONNECTOR_PLAINTEXT_SECRETS): it is never copied into manifests; put it in {secret} yourself, then remove it from data.json");

    private void ReportLeftovers(BwdcDataFile file, BwdcDirectoryType type, DataJsonObject sync, DataJsonObject configuration)
    {
        var settings = file.Settings;
        settings.Skip("directoryType");
        configuration.Skip("id");
        var state = SyncStateKeys.Where(settings.Has).Select(settings.KeyPath).ToList();
        if (state.Count > 0)
        {
            NotCarried(string.Join(", ", state), "the original's sync state; the first sync here reads the whole directory and posts it, and members already in the organization are matched by their external id");
        }

        foreach (var (other, leftover) in file.OtherConfigurations(type))
        {
            NotCarried(leftover.Path, $"settings of directory type {(int)other}, left over from before; directoryType is {(int)type}");
        }

        if (ReferenceEquals(settings, file.Root))
        {
            settings.Skip(AppKeys);
            settings.Skip([.. settings.Keys.Where(k => k.StartsWith("secret", StringComparison.Ordinal))]);
        }

        Report(settings);
        Report(sync);
        Report(configuration);
    }

    /// <summary>Keys nothing has read: settings of a newer or unknown version, never silently dropped.</summary>
    private void Report(DataJsonObject section)
    {
        foreach (var key in section.UnreadKeys.ToList())
        {
            NotCarried(section.KeyPath(key), "not a setting this conversion knows (from a newer version of the original?); check whether the DirectorySync needs an equivalent");
            section.Skip(key);
        }
    }

    private void AddSecret(string secretName, IReadOnlyList<string> comment, IReadOnlyList<KeyValuePair<string, string>> data) =>
        secrets.Add(new PlaceholderSecret(secretName, comment, data));

    private void NotCarried(string key, string message) => notes.Add(new(MigrationNoteKind.NotCarriedOver, key, message));

    private void Changed(string key, string message) => notes.Add(new(MigrationNoteKind.Changed, key, message));

    private void ToDo(string key, string message) => notes.Add(new(MigrationNoteKind.ToDo, key, message));

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    // The API and identity URLs a serverUrl derives (BitwardenEndpoints, as the engine uses them), without the trailing
    // slash; null for a URL the spec validator then names.
    private static (string Api, string Identity)? Derived(string serverUrl)
    {
        try
        {
            var endpoints = BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = serverUrl });
            return (endpoints.ApiUrl.AbsoluteUri.TrimEnd('/'), endpoints.IdentityUrl.AbsoluteUri.TrimEnd('/'));
        }
        catch (SyncFailedException)
        {
            return null;
        }
    }

    // As the original's environment service formats URLs: no trailing slash, https:// when no scheme is written.
    private static string? BaseUrl(string? url)
    {
        if (url is null)
        {
            return null;
        }

        url = url.TrimEnd('/');
        return url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? url : "https://" + url;
    }
}
