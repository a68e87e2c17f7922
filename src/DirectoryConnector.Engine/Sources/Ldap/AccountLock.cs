using System.Globalization;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// The account-lock conventions of widely deployed directory servers, recognised out of the box (others:
/// spec.source.ldap.disabledFilter):
/// <list type="bullet">
/// <item>Active Directory, Samba: <c>userAccountControl</c> with ACCOUNTDISABLE (0x2) set (MS-ADTS 2.2.16).</item>
/// <item>389 Directory Server, FreeIPA, Oracle/Sun DSEE: <c>nsAccountLock: TRUE</c> (case-insensitive; 389-ds
/// "Account Lockout and Inactivation").</item>
/// <item>OpenLDAP ppolicy (and other draft-behera-ldap-password-policy servers): <c>pwdAccountLockedTime:
/// 000001010000Z</c>, the administrative lock that only an administrator lifts (slapo-ppolicy(5)). Any other time is
/// a lockout after failed binds that expires by itself, so it does not remove anyone from the organization.</item>
/// <item>NetIQ eDirectory: <c>loginDisabled: TRUE</c>.</item>
/// </list>
/// </summary>
internal static class AccountLock
{
    public const string UserAccountControl = "userAccountControl";
    public const string NsAccountLock = "nsAccountLock";
    public const string PwdAccountLockedTime = "pwdAccountLockedTime";
    public const string LoginDisabled = "loginDisabled";

    /// <summary>slapo-ppolicy(5): "000001010000Z means that the account has been locked permanently".</summary>
    public const string PermanentLockTime = "000001010000Z";

    private const int AccountDisable = 0x2;

    /// <summary>Every attribute read to tell a locked account (requested explicitly: pwdAccountLockedTime is operational).</summary>
    public static IReadOnlyList<string> Attributes { get; } = [UserAccountControl, NsAccountLock, PwdAccountLockedTime, LoginDisabled];

    public static bool IsLocked(LdapEntry entry)
        => (int.TryParse(entry.GetString(UserAccountControl), NumberStyles.Integer, CultureInfo.InvariantCulture, out var flags) && (flags & AccountDisable) != 0)
           || IsTrue(entry.GetString(NsAccountLock))
           || string.Equals(entry.GetString(PwdAccountLockedTime)?.Trim(), PermanentLockTime, StringComparison.Ordinal)
           || IsTrue(entry.GetString(LoginDisabled));

    /// <summary>True when the entry carries any lock attribute (locked or not).</summary>
    public static bool HasLockAttribute(LdapEntry entry)
        => entry.Has(UserAccountControl) || entry.Has(NsAccountLock) || entry.Has(PwdAccountLockedTime) || entry.Has(LoginDisabled);

    private static bool IsTrue(string? value) => string.Equals(value?.Trim(), "TRUE", StringComparison.OrdinalIgnoreCase);
}
