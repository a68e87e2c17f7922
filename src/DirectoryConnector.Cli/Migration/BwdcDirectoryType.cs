namespace DirectoryConnector.Cli.Migration;

/// <summary>data.json's <c>directoryType</c> (bitwarden/directory-connector libs/enums/directoryType.ts).</summary>
internal enum BwdcDirectoryType
{
    Ldap = 0,
    EntraId = 1,
    GSuite = 2,
    Okta = 3,
    OneLogin = 4,
}
