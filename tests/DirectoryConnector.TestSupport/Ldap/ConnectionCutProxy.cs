using System.Net;
using System.Net.Sockets;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// A loopback TCP proxy in front of a real server (slapd) that can drop every connection in the middle of a
/// response, as a server restart does: once the server has sent <see cref="CutAfterServerBytes"/> bytes through it,
/// all open connections are reset and new ones are refused until <see cref="Heal"/>. It counts bytes, not time, so
/// the same read is cut at the same place every run. It can also go silent instead (<see cref="SilenceAfterServerBytes"/>):
/// connections stay open and nothing more of the server's answer arrives, as behind a firewall that drops a connection
/// without closing it.
/// </summary>
public sealed class ConnectionCutProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _open = [];
    private readonly object _gate = new();
    private readonly int _targetPort;
    private readonly IPAddress _targetAddress;
    private readonly Task _accepting;
    private long _serverBytes;
    private long? _cutAfter;
    private long? _silenceAfter;
    private bool _down;
    private bool _silent;

    // Bumped by Heal: a connection opened before it (one the cut raced with) never cuts the healed proxy's connections.
    private int _generation;

    /// <param name="targetAddress">The server's address; 127.0.0.1 when null.</param>
    public ConnectionCutProxy(int targetPort, IPAddress? targetAddress = null)
    {
        _targetPort = targetPort;
        _targetAddress = targetAddress ?? IPAddress.Loopback;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Bytes the server has sent through the proxy so far.</summary>
    public long ServerBytes => Interlocked.Read(ref _serverBytes);

    /// <summary>When set, the server's bytes (counted from now) after which every connection drops. Null: never.</summary>
    public long? CutAfterServerBytes
    {
        get => _cutAfter;
        set
        {
            Interlocked.Exchange(ref _serverBytes, 0);
            _cutAfter = value;
        }
    }

    /// <summary>When set, the server's bytes (counted from now) after which the proxy stops forwarding anything the
    /// server sends, on every connection, and keeps them all open: a server (or a firewall in between) that goes silent
    /// in the middle of a response. Null: never.</summary>
    public long? SilenceAfterServerBytes
    {
        get => _silenceAfter;
        set
        {
            Interlocked.Exchange(ref _serverBytes, 0);
            _silenceAfter = value;
        }
    }

    /// <summary>Whether the proxy has gone silent.</summary>
    public bool IsSilent => Volatile.Read(ref _silent);

    /// <summary>Whether a cut happened (and the proxy refuses connections until <see cref="Heal"/>).</summary>
    public bool IsDown => Volatile.Read(ref _down);

    /// <summary>The server is back: connections are accepted again and no cut is armed.</summary>
    public void Heal()
    {
        _cutAfter = null;
        Interlocked.Increment(ref _generation);
        Volatile.Write(ref _down, false);
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }

            if (IsDown)
            {
                client.Client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                continue;
            }

            _ = Task.Run(() => PipeAsync(client));
        }
    }

    private async Task PipeAsync(TcpClient client)
    {
        using var server = new TcpClient();
        var generation = Volatile.Read(ref _generation);
        try
        {
            await server.ConnectAsync(_targetAddress, _targetPort, _stopping.Token).ConfigureAwait(false);
            lock (_gate)
            {
                if (IsDown || generation != _generation)
                {
                    // Accepted just before a cut or a heal: dropped, as a restarted server drops it.
                    client.Client.LingerState = new LingerOption(true, 0);
                    return;
                }

                _open.Add(client);
                _open.Add(server);
            }

            var up = CopyAsync(client.GetStream(), server.GetStream(), countServerBytes: false, generation);
            var down = CopyAsync(server.GetStream(), client.GetStream(), countServerBytes: true, generation);
            await Task.WhenAny(up, down).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
        finally
        {
            lock (_gate)
            {
                _open.Remove(client);
                _open.Remove(server);
            }

            client.Dispose();
        }
    }

    private async Task CopyAsync(NetworkStream from, NetworkStream to, bool countServerBytes, int generation)
    {
        var buffer = new byte[4096];
        while (true)
        {
            var read = await from.ReadAsync(buffer, _stopping.Token).ConfigureAwait(false);
            if (read == 0)
            {
                return;
            }

            var count = read;
            if (countServerBytes && _silenceAfter is { } silence)
            {
                var before = IsSilent ? silence : Interlocked.Add(ref _serverBytes, read) - read;
                if (IsSilent || before + read > silence)
                {
                    if (!IsSilent)
                    {
                        // Forward what fits, then nothing more: the server's bytes are read and dropped, the connection stays open.
                        Volatile.Write(ref _silent, true);
                        await to.WriteAsync(buffer.AsMemory(0, (int)Math.Max(0, silence - before)), _stopping.Token).ConfigureAwait(false);
                    }

                    continue;
                }

                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token).ConfigureAwait(false);
                continue;
            }

            if (countServerBytes && _cutAfter is { } limit && generation == Volatile.Read(ref _generation))
            {
                var before = Interlocked.Add(ref _serverBytes, read) - read;
                if (before + read > limit)
                {
                    // Forward what fits, then drop everything: the client sees a response end in the middle.
                    count = (int)Math.Max(0, limit - before);
                    await to.WriteAsync(buffer.AsMemory(0, count), _stopping.Token).ConfigureAwait(false);
                    CutAll();
                    return;
                }
            }
            else if (countServerBytes)
            {
                Interlocked.Add(ref _serverBytes, read);
            }

            await to.WriteAsync(buffer.AsMemory(0, count), _stopping.Token).ConfigureAwait(false);
        }
    }

    private void CutAll()
    {
        lock (_gate)
        {
            Volatile.Write(ref _down, true);
            foreach (var connection in _open)
            {
                try
                {
                    connection.Client.LingerState = new LingerOption(true, 0); // RST, as a killed process leaves
                    connection.Client.Close();
                }
                catch (ObjectDisposedException)
                {
                }
            }

            _open.Clear();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        CutAll();
        await _accepting.ConfigureAwait(false);
        _stopping.Dispose();
    }
}
