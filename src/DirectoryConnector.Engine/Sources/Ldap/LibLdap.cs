using System.DirectoryServices.Protocols;
using System.Reflection;
using System.Runtime.InteropServices;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// The one libldap option S.DS.P does not expose on Linux: SessionOptions.VerifyServerCertificate throws there
/// (dotnet/runtime#60972), and LDAPTLS_REQCERT would apply to every DirectorySync in the process. So the option is
/// set on this connection's own handle, followed by StartNewTlsSessionContext.
/// </summary>
internal static class LibLdap
{
    private const int LdapOptXTlsRequireCert = 0x6006;
    private const int LdapOptXTlsNever = 0;
    private const int LdapOptSuccess = 0;

    private static readonly Lazy<SetOption?> SetOptionFunction = new(LoadSetOption);

    private delegate int SetOption(IntPtr ld, int option, ref int value);

    public static void DisableCertificateVerification(LdapConnection connection)
    {
        var handleField = typeof(LdapConnection).GetField("_ldapHandle", BindingFlags.NonPublic | BindingFlags.Instance);
        if (handleField?.GetValue(connection) is not SafeHandle handle || handle.IsInvalid || SetOptionFunction.Value is not { } setOption)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                "spec.source.ldap.insecureSkipVerify is not supported by this runtime's LDAP library; trust the server's CA with caSecretRef instead.",
                retryable: false);
        }

        var never = LdapOptXTlsNever;
        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            if (setOption(handle.DangerousGetHandle(), LdapOptXTlsRequireCert, ref never) != LdapOptSuccess)
            {
                throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                    "libldap refused spec.source.ldap.insecureSkipVerify (LDAP_OPT_X_TLS_REQUIRE_CERT).", retryable: false);
            }
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static SetOption? LoadSetOption()
    {
        // The same names S.DS.P probes, so this is the library it already loaded.
        foreach (var name in new[] { "libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, "ldap_set_option", out var export))
            {
                return Marshal.GetDelegateForFunctionPointer<SetOption>(export);
            }
        }

        return null;
    }
}
