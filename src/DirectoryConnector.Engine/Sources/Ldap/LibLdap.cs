using System.DirectoryServices.Protocols;
using System.Reflection;
using System.Runtime.InteropServices;
using DirectoryConnector.Engine.Sync;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// libldap options S.DS.P does not expose on Linux, set on this connection's own handle (never process-wide
/// LDAPTLS_* variables, which would apply to every DirectorySync in the process):
/// - LDAP_OPT_X_TLS_REQUIRE_CERT for insecureSkipVerify: SessionOptions.VerifyServerCertificate throws on Linux
///   (dotnet/runtime#60972);
/// - LDAP_OPT_NETWORK_TIMEOUT and LDAP_OPT_TIMEOUT: S.DS.P's bind on Linux is synchronous and ignores
///   LdapConnection.Timeout, so a server that accepts and never answers would block it forever;
/// - LDAP_OPT_RESTART: without it libldap reports a poll(2) interrupted by any signal (SIGCHLD when a child process
///   such as an exec credential plugin exits) as LDAP_SERVER_DOWN (81) at once (libldap result.c wait4msg, os-ip.c
///   ldap_int_poll); with it the wait resumes within the same time limit;
/// - LDAP_OPT_URI, ldap_connect and ldap_install_tls: S.DS.P sets the URI only when it binds (dotnet/runtime#56619),
///   so connecting, StartTLS and the LDAPS handshake are done here first, each its own step that
///   <see cref="BoundedLdapConnection"/> can bound;
/// - LDAP_OPT_DESC (read): the socket that <see cref="BoundedLdapConnection"/> shuts down when a limit runs out;
/// - LDAP_OPT_RESULT_CODE (read): a bind the server refuses with a result code (strongAuthRequired, say) surfaces as a
///   DirectoryOperationException without a response, so the code is read back from the handle.
/// </summary>
internal static class LibLdap
{
    private const int LdapOptTimeout = 0x5002;
    private const int LdapOptNetworkTimeout = 0x5005;
    private const int LdapOptXTlsRequireCert = 0x6006;
    private const int LdapOptXTlsNever = 0;
    private const int LdapOptSuccess = 0;
    private const int LdapOptResultCode = 0x0031;
    private const int LdapOptDesc = 0x0001;
    private const int LdapNotSupported = -12;
    private const int LdapOptRestart = 0x0009;
    private const int LdapOptUri = 0x5006;

    private static readonly Lazy<IntPtr> SetOptionExport = new(() => LoadExport("ldap_set_option"));
    private static readonly Lazy<IntPtr> GetOptionExport = new(() => LoadExport("ldap_get_option"));
    private static readonly Lazy<IntPtr> ConnectExport = new(() => LoadExport("ldap_connect"));
    private static readonly Lazy<IntPtr> InstallTlsExport = new(() => LoadExport("ldap_install_tls"));

    public static void DisableCertificateVerification(LdapConnection connection)
    {
        var never = LdapOptXTlsNever;
        var result = WithHandle(connection, handle => SetIntOption(handle, LdapOptXTlsRequireCert, never));
        if (result != LdapOptSuccess)
        {
            throw new SyncFailedException(SyncFailureReason.InvalidSpec,
                "spec.source.ldap.insecureSkipVerify is not supported by this runtime's LDAP library; trust the server's CA with caSecretRef instead.",
                retryable: false);
        }
    }

    /// <summary>Bounds connecting and every synchronous libldap call, and lets an interrupted wait resume instead of
    /// failing; false when the runtime offers no handle.</summary>
    public static bool SetTimeouts(LdapConnection connection, TimeSpan timeout)
    {
        var seconds = (long)Math.Ceiling(timeout.TotalSeconds);
        return WithHandle(connection, handle =>
                   SetTimevalOption(handle, LdapOptNetworkTimeout, seconds) == LdapOptSuccess
                   && SetTimevalOption(handle, LdapOptTimeout, seconds) == LdapOptSuccess
                   // A boolean option is on for any non-null value (LDAP_OPT_ON), off for NULL.
                   && SetIntOption(handle, LdapOptRestart, 1) == LdapOptSuccess
                       ? LdapOptSuccess
                       : -1) == LdapOptSuccess;
    }

    /// <summary>Whether this libldap can connect, StartTLS and handshake as separate steps (2.5 and later).</summary>
    public static bool CanConnectInSteps => ConnectExport.Value != IntPtr.Zero && InstallTlsExport.Value != IntPtr.Zero && GetOptionExport.Value != IntPtr.Zero;

    /// <summary>Sets the server S.DS.P would only set at bind, so that the connection can be opened before it.</summary>
    public static bool SetUri(LdapConnection connection, string uri)
    {
        var text = Marshal.StringToCoTaskMemUTF8(uri);
        try
        {
            return WithHandle(connection, handle => SetOption(handle, LdapOptUri, text)) == LdapOptSuccess;
        }
        finally
        {
            Marshal.FreeCoTaskMem(text);
        }
    }

    /// <summary>Opens the TCP connection (bounded by LDAP_OPT_NETWORK_TIMEOUT); an LDAP result code.</summary>
    public static int Connect(LdapConnection connection) => Call(connection, ConnectExport.Value);

    /// <summary>The LDAPS handshake on the open connection; an LDAP result code. libldap 2.5 bounds it by nothing:
    /// the caller bounds it from outside.</summary>
    public static int InstallTls(LdapConnection connection) => Call(connection, InstallTlsExport.Value);

    /// <summary>No network timeout from here on. libldap 2.5 only uses it in a TLS handshake to make the socket
    /// non-blocking and then retries the handshake in a busy loop without ever checking the time (ITS#8047, fixed in
    /// 2.7); blocking, the handshake waits without using a CPU until the caller's limit shuts the socket down.</summary>
    public static bool ClearNetworkTimeout(LdapConnection connection)
        => WithHandle(connection, handle => SetTimevalOption(handle, LdapOptNetworkTimeout, -1)) == LdapOptSuccess;

    /// <summary>The connection's socket descriptor; -1 when it has none (or the runtime offers no handle).</summary>
    public static int Descriptor(LdapConnection connection)
    {
        var descriptor = -1;
        if (GetOptionExport.Value == IntPtr.Zero)
        {
            return descriptor;
        }

        WithHandle(connection, handle =>
        {
            var buffer = Marshal.AllocHGlobal(sizeof(int));
            try
            {
                Marshal.WriteInt32(buffer, -1);
                var result = Marshal.GetDelegateForFunctionPointer<LdapGetOption>(GetOptionExport.Value)(handle, LdapOptDesc, buffer);
                descriptor = result == LdapOptSuccess ? Marshal.ReadInt32(buffer) : -1;
                return result;
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        });
        return descriptor;
    }

    /// <summary>The LDAP result code (RFC 4511) of the connection's last operation; null when the runtime offers no handle.</summary>
    public static int? LastResultCode(LdapConnection connection)
    {
        if (GetOptionExport.Value == IntPtr.Zero)
        {
            return null;
        }

        int? code = null;
        WithHandle(connection, handle =>
        {
            var buffer = Marshal.AllocHGlobal(sizeof(int));
            try
            {
                var result = Marshal.GetDelegateForFunctionPointer<LdapGetOption>(GetOptionExport.Value)(handle, LdapOptResultCode, buffer);
                if (result == LdapOptSuccess)
                {
                    code = Marshal.ReadInt32(buffer);
                }

                return result;
            }
            finally
            {
                Marshal.FreeHGlobal(buffer);
            }
        });
        return code;
    }

    private static int WithHandle(LdapConnection connection, Func<IntPtr, int> action)
    {
        var handleField = typeof(LdapConnection).GetField("_ldapHandle", BindingFlags.NonPublic | BindingFlags.Instance);
        if (handleField?.GetValue(connection) is not SafeHandle handle || handle.IsInvalid || SetOptionExport.Value == IntPtr.Zero)
        {
            return -1;
        }

        var added = false;
        try
        {
            handle.DangerousAddRef(ref added);
            return action(handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                handle.DangerousRelease();
            }
        }
    }

    private static int SetIntOption(IntPtr ld, int option, int value) => SetOption(ld, option, [value]);

    private static int SetOption(IntPtr ld, int option, IntPtr value)
        => Marshal.GetDelegateForFunctionPointer<LdapSetOption>(SetOptionExport.Value)(ld, option, value);

    /// <summary>ldap_connect or ldap_install_tls: int f(LDAP *ld).</summary>
    private static int Call(LdapConnection connection, IntPtr export)
        => export == IntPtr.Zero ? LdapNotSupported : WithHandle(connection, handle => Marshal.GetDelegateForFunctionPointer<LdapCall>(export)(handle));

    // struct timeval { time_t tv_sec; suseconds_t tv_usec; }: two longs on 64-bit Linux; libldap copies it.
    private static int SetTimevalOption(IntPtr ld, int option, long seconds) => SetOption(ld, option, [seconds, 0L]);

    private static int SetOption<T>(IntPtr ld, int option, T[] value)
        where T : unmanaged
    {
        var size = Marshal.SizeOf<T>() * value.Length;
        var buffer = Marshal.AllocHGlobal(size);
        try
        {
            for (var i = 0; i < value.Length; i++)
            {
                Marshal.StructureToPtr(value[i], buffer + (i * Marshal.SizeOf<T>()), fDeleteOld: false);
            }

            return Marshal.GetDelegateForFunctionPointer<LdapSetOption>(SetOptionExport.Value)(ld, option, buffer);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    private delegate int LdapSetOption(IntPtr ld, int option, IntPtr value);

    private delegate int LdapGetOption(IntPtr ld, int option, IntPtr value);

    private delegate int LdapCall(IntPtr ld);

    private static IntPtr LoadExport(string function)
    {
        // The same names S.DS.P probes, so this is the library it already loaded.
        foreach (var name in new[] { "libldap.so.2", "libldap-2.6.so.0", "libldap-2.5.so.0", "libldap-2.4.so.2" })
        {
            if (NativeLibrary.TryLoad(name, out var library) && NativeLibrary.TryGetExport(library, function, out var export))
            {
                return export;
            }
        }

        return IntPtr.Zero;
    }
}
