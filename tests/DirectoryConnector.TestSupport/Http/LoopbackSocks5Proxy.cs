using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DirectoryConnector.TestSupport.Http;

/// <summary>
/// A SOCKS5 proxy on 127.0.0.1 (RFC 1928): CONNECT only, to IPv4, IPv6 or domain-name targets that are loopback. With
/// <see cref="User"/> set it requires username/password authentication (RFC 1929) and refuses every other method (0xFF);
/// else it offers "no authentication". Records each CONNECT as "host:port (user)" or "host:port (no auth)".
/// </summary>
public sealed class LoopbackSocks5Proxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> connects = new();
    private readonly Task accepting;

    private LoopbackSocks5Proxy(string? user, string? password)
    {
        User = user;
        Password = password;
        listener.Start();
        accepting = AcceptAsync();
    }

    public string? User { get; }

    public string? Password { get; }

    /// <summary>socks5://127.0.0.1:port (without the credentials).</summary>
    public Uri Url => new($"socks5://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    /// <summary>"127.0.0.1:8443 (alice)" per CONNECT served, in arrival order.</summary>
    public IReadOnlyList<string> Connects => [.. connects];

    public static LoopbackSocks5Proxy Start(string? user = null, string? password = null) => new(user, password);

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await accepting.ConfigureAwait(false);
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                var client = await listener.AcceptTcpClientAsync(stopping.Token).ConfigureAwait(false);
                connections.Add(ServeAsync(client));
            }
        }
        catch (Exception exception) when (exception is OperationCanceledException or SocketException)
        {
        }

        await Task.WhenAll(connections).ConfigureAwait(false);
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                var stream = client.GetStream();
                var token = stopping.Token;
                // Greeting: VER 5, NMETHODS, METHODS.
                var greeting = await ReadAsync(stream, 2, token).ConfigureAwait(false);
                var methods = await ReadAsync(stream, greeting[1], token).ConfigureAwait(false);
                if (greeting[0] != 5)
                {
                    return;
                }

                var wanted = User is null ? (byte)0x00 : (byte)0x02;
                if (!methods.Contains(wanted))
                {
                    await stream.WriteAsync(new byte[] { 5, 0xFF }, token).ConfigureAwait(false);
                    return;
                }

                await stream.WriteAsync(new byte[] { 5, wanted }, token).ConfigureAwait(false);
                var who = "no auth";
                if (User is not null)
                {
                    // RFC 1929: VER 1, ULEN, UNAME, PLEN, PASSWD.
                    var version = await ReadAsync(stream, 2, token).ConfigureAwait(false);
                    var name = Encoding.UTF8.GetString(await ReadAsync(stream, version[1], token).ConfigureAwait(false));
                    var length = await ReadAsync(stream, 1, token).ConfigureAwait(false);
                    var password = Encoding.UTF8.GetString(await ReadAsync(stream, length[0], token).ConfigureAwait(false));
                    var ok = version[0] == 1 && name == User && password == Password;
                    await stream.WriteAsync(new byte[] { 1, ok ? (byte)0 : (byte)1 }, token).ConfigureAwait(false);
                    if (!ok)
                    {
                        return;
                    }

                    who = name;
                }

                // Request: VER 5, CMD, RSV, ATYP, DST.ADDR, DST.PORT.
                var request = await ReadAsync(stream, 4, token).ConfigureAwait(false);
                string host;
                switch (request[3])
                {
                    case 1:
                        host = new IPAddress(await ReadAsync(stream, 4, token).ConfigureAwait(false)).ToString();
                        break;
                    case 4:
                        host = new IPAddress(await ReadAsync(stream, 16, token).ConfigureAwait(false)).ToString();
                        break;
                    case 3:
                        var hostLength = await ReadAsync(stream, 1, token).ConfigureAwait(false);
                        host = Encoding.ASCII.GetString(await ReadAsync(stream, hostLength[0], token).ConfigureAwait(false));
                        break;
                    default:
                        await stream.WriteAsync(new byte[] { 5, 8, 0, 1, 0, 0, 0, 0, 0, 0 }, token).ConfigureAwait(false);
                        return;
                }

                var portBytes = await ReadAsync(stream, 2, token).ConfigureAwait(false);
                var port = (portBytes[0] << 8) | portBytes[1];
                connects.Enqueue($"{host}:{port} ({who})");
                var address = host == "localhost" ? IPAddress.Loopback : IPAddress.TryParse(host, out var parsed) ? parsed : null;
                if (request[1] != 1 || address is null || !IPAddress.IsLoopback(address))
                {
                    // 7: command not supported; 2: connection not allowed by ruleset.
                    await stream.WriteAsync(new byte[] { 5, request[1] != 1 ? (byte)7 : (byte)2, 0, 1, 0, 0, 0, 0, 0, 0 }, token).ConfigureAwait(false);
                    return;
                }

                using var upstream = new TcpClient(address.AddressFamily);
                await upstream.ConnectAsync(address, port, token).ConfigureAwait(false);
                await stream.WriteAsync(new byte[] { 5, 0, 0, 1, 127, 0, 0, 1, 0, 0 }, token).ConfigureAwait(false);
                var upstreamStream = upstream.GetStream();
                await Task.WhenAny(stream.CopyToAsync(upstreamStream, token), upstreamStream.CopyToAsync(stream, token)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException or EndOfStreamException)
            {
                // The client or the target went away.
            }
        }
    }

    private static async Task<byte[]> ReadAsync(NetworkStream stream, int count, CancellationToken cancellationToken)
    {
        var buffer = new byte[count];
        await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
        return buffer;
    }
}
