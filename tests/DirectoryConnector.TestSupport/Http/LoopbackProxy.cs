using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DirectoryConnector.TestSupport.Http;

/// <summary>
/// A forward proxy on 127.0.0.1 as HTTPS_PROXY / HTTP_PROXY point at: CONNECT host:port opens a tunnel (RFC 9110 §9.3.6);
/// an absolute-URI request (RFC 9112 §3.2.2) is forwarded to its origin. Records the request line of each.
/// Only ever connects to loopback targets.
/// </summary>
public sealed class LoopbackProxy : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stopping = new();
    private readonly ConcurrentQueue<string> requestLines = new();
    private readonly Task accepting;

    private LoopbackProxy()
    {
        listener.Start();
        accepting = AcceptAsync();
    }

    /// <summary>http://127.0.0.1:port, the value for HTTPS_PROXY / HTTP_PROXY.</summary>
    public Uri Url => new($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");

    /// <summary>"CONNECT 127.0.0.1:443 HTTP/1.1" or "POST http://127.0.0.1:80/path HTTP/1.1", in arrival order.</summary>
    public IReadOnlyList<string> RequestLines => [.. requestLines];

    public static LoopbackProxy Start() => new();

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
        catch (OperationCanceledException)
        {
        }
        catch (SocketException)
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
                var head = await ReadHeadAsync(stream, stopping.Token).ConfigureAwait(false);
                if (head is null)
                {
                    return;
                }

                var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)];
                requestLines.Enqueue(requestLine);
                var parts = requestLine.Split(' ');
                var connect = parts[0] == "CONNECT";
                var target = connect ? new Uri("tcp://" + parts[1]) : new Uri(parts[1]);
                if (!IPAddress.TryParse(target.Host, out var address) || !IPAddress.IsLoopback(address))
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n"), stopping.Token).ConfigureAwait(false);
                    return;
                }

                using var upstream = new TcpClient();
                await upstream.ConnectAsync(address, target.Port, stopping.Token).ConfigureAwait(false);
                var upstreamStream = upstream.GetStream();
                if (connect)
                {
                    await stream.WriteAsync(Encoding.ASCII.GetBytes("HTTP/1.1 200 Connection Established\r\n\r\n"), stopping.Token).ConfigureAwait(false);
                }
                else
                {
                    // One request per connection, so each one is recorded: the origin closes after answering.
                    var forwarded = head.Replace("\r\nProxy-Connection: Keep-Alive", "", StringComparison.OrdinalIgnoreCase)
                        .Replace("\r\n\r\n", "\r\nConnection: close\r\n\r\n", StringComparison.Ordinal);
                    await upstreamStream.WriteAsync(Encoding.Latin1.GetBytes(forwarded), stopping.Token).ConfigureAwait(false);
                }

                await Task.WhenAny(stream.CopyToAsync(upstreamStream, stopping.Token), upstreamStream.CopyToAsync(stream, stopping.Token)).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is IOException or SocketException or OperationCanceledException)
            {
                // The client or the origin went away.
            }
        }
    }

    /// <summary>Reads up to the blank line that ends the request head, byte by byte so no body byte is consumed.</summary>
    private static async Task<string?> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (head.Length < 65536)
        {
            if (await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false) == 0)
            {
                return null;
            }

            head.Append((char)buffer[0]);
            if (head.Length >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                return head.ToString();
            }
        }

        return null;
    }
}
