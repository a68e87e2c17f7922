using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Runtime.InteropServices;

namespace DirectoryConnector.Engine.Sources.Ldap;

/// <summary>
/// An LDAP connection whose every call on the server ends within a time limit, including the waits libldap and S.DS.P
/// leave unbounded on Linux:
/// - libldap 2.5 does not bound a TLS handshake (LDAPS, or the one after StartTLS): its network timeout is only
///   checked there for asynchronous connects (ITS#8047, fixed in 2.7);
/// - S.DS.P passes ldap_result an 8-byte LDAP_TIMEVAL {int tv_sec; int tv_usec} where libldap reads a 16-byte struct
///   timeval, so every wait for a response (a search page) gets whatever follows on the stack as microseconds: a
///   silent server held one for 71 minutes.
/// When the limit runs out before the call returns, the socket is shut down, which ends whatever libldap waits on
/// (poll, read, handshake) with an error at once; the caller reports that the server did not answer. The socket is a
/// duplicate of libldap's descriptor taken between calls, so a shutdown can never reach a descriptor that libldap has
/// closed meanwhile and the process has reused for something else.
/// </summary>
internal sealed class BoundedLdapConnection : IDisposable
{
    private const int ShutdownBoth = 2; // SHUT_RDWR
    private static readonly Lazy<Libc?> Native = new(Libc.Load);

    private readonly object _gate = new();
    private readonly Timer _timer;
    private int _socket = -1;

    // Stopwatch timestamp the running call must end by; 0 between calls.
    private long _deadline;
    private bool _expired;

    public BoundedLdapConnection(LdapConnection connection, TimeSpan limit)
    {
        Connection = connection;
        Limit = limit;
        _timer = new Timer(_ => Expire(), null, Timeout.Infinite, Timeout.Infinite);
    }

    public LdapConnection Connection { get; }

    public TimeSpan Limit { get; }

    /// <summary>Whether a running call can be ended: the socket is known.</summary>
    public bool Watching
    {
        get
        {
            lock (_gate)
            {
                return _socket >= 0;
            }
        }
    }

    /// <summary>Takes hold of the socket libldap has opened. Only between calls, on the thread that uses the connection:
    /// then libldap cannot close the descriptor while it is duplicated.</summary>
    public void WatchSocket()
    {
        var descriptor = LibLdap.Descriptor(Connection);
        var duplicate = descriptor >= 0 && Native.Value is { } libc ? libc.Dup(descriptor) : -1;
        lock (_gate)
        {
            if (_socket >= 0)
            {
                Native.Value!.Close(_socket);
            }

            _socket = duplicate;
        }
    }

    /// <summary>Runs <paramref name="call"/>; when <see cref="Limit"/> runs out first, its socket is shut down and the
    /// exception <paramref name="noAnswer"/> makes (given what the call threw, if anything) is thrown instead.</summary>
    public T Run<T>(Func<T> call, Func<Exception?, Exception> noAnswer)
    {
        lock (_gate)
        {
            _expired = false;
            _deadline = Stopwatch.GetTimestamp() + (long)(Limit.TotalSeconds * Stopwatch.Frequency);
        }

        _timer.Change(Limit, Timeout.InfiniteTimeSpan);
        T result;
        try
        {
            result = call();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            if (Stop())
            {
                throw noAnswer(ex);
            }

            throw;
        }

        // Ended just as the limit ran out: the socket is shut down, so the connection is no use any more.
        return Stop() ? throw noAnswer(null) : result;
    }

    public void Dispose()
    {
        _timer.Dispose();
        Connection.Dispose();
        lock (_gate)
        {
            if (_socket >= 0)
            {
                Native.Value!.Close(_socket);
                _socket = -1;
            }

            _deadline = 0;
        }
    }

    /// <summary>Ends the call's watch; whether its limit ran out.</summary>
    private bool Stop()
    {
        _timer.Change(Timeout.Infinite, Timeout.Infinite);
        lock (_gate)
        {
            _deadline = 0;
            return _expired;
        }
    }

    private void Expire()
    {
        lock (_gate)
        {
            if (_deadline == 0 || _expired)
            {
                return; // the call ended, or this is an earlier call's timer
            }

            var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), _deadline);
            if (remaining > TimeSpan.Zero)
            {
                _timer.Change(remaining, Timeout.InfiniteTimeSpan); // early (timer granularity, or an earlier call's timer)
                return;
            }

            _expired = true;
            if (_socket >= 0)
            {
                Native.Value!.Shutdown(_socket, ShutdownBoth);
            }
        }
    }

    /// <summary>dup, shutdown and close from the C library; null where there is none to load (Windows).</summary>
    private sealed class Libc
    {
        private readonly DupFunction _dup;
        private readonly ShutdownFunction _shutdown;
        private readonly CloseFunction _close;

        private Libc(DupFunction dup, ShutdownFunction shutdown, CloseFunction close)
        {
            _dup = dup;
            _shutdown = shutdown;
            _close = close;
        }

        private delegate int DupFunction(int descriptor);

        private delegate int ShutdownFunction(int descriptor, int how);

        private delegate int CloseFunction(int descriptor);

        public int Dup(int descriptor) => _dup(descriptor);

        public void Shutdown(int descriptor, int how) => _shutdown(descriptor, how);

        public void Close(int descriptor) => _close(descriptor);

        public static Libc? Load()
        {
            if (OperatingSystem.IsWindows() || !NativeLibrary.TryLoad("libc.so.6", out var library)
                || !NativeLibrary.TryGetExport(library, "dup", out var dup)
                || !NativeLibrary.TryGetExport(library, "shutdown", out var shutdown)
                || !NativeLibrary.TryGetExport(library, "close", out var close))
            {
                return null;
            }

            return new(Marshal.GetDelegateForFunctionPointer<DupFunction>(dup), Marshal.GetDelegateForFunctionPointer<ShutdownFunction>(shutdown),
                Marshal.GetDelegateForFunctionPointer<CloseFunction>(close));
        }
    }
}
