using System.Formats.Asn1;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// A TCP listener on 127.0.0.1 that accepts StartTLS (RFC 4511 §4.14: an ExtendedResponse with resultCode success to
/// the client's first request) and then never answers the TLS handshake that follows: a server, or a middlebox, that
/// hangs halfway through StartTLS.
/// </summary>
public sealed class SilentAfterStartTlsServer : IDisposable
{
    private const string StartTlsOid = "1.3.6.1.4.1.1466.20037";
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<Socket> _accepted = [];
    private readonly CancellationTokenSource _stop = new();
    private int _startTlsAnswered;

    public SilentAfterStartTlsServer()
    {
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>How many StartTLS requests were answered with success.</summary>
    public int StartTlsAnswered => Volatile.Read(ref _startTlsAnswered);

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_accepted)
        {
            foreach (var socket in _accepted)
            {
                socket.Dispose();
            }
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                lock (_accepted)
                {
                    _accepted.Add(socket); // held open until disposed
                }

                _ = AnswerStartTlsAsync(socket);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // stopped
        }
    }

    private async Task AnswerStartTlsAsync(Socket socket)
    {
        try
        {
            // One whole LDAPMessage: SEQUENCE { messageID INTEGER, [APPLICATION 23] ExtendedRequest { [0] requestName } }.
            var buffer = new byte[4096];
            var read = 0;
            int length;
            while (!AsnDecoder.TryReadEncodedValue(buffer.AsSpan(0, read), AsnEncodingRules.BER, out _, out _, out _, out length))
            {
                var more = await socket.ReceiveAsync(buffer.AsMemory(read), _stop.Token);
                if (more == 0)
                {
                    return;
                }

                read += more;
            }

            var message = new AsnReader(buffer.AsMemory(0, length), AsnEncodingRules.BER).ReadSequence();
            var messageId = message.ReadInteger();
            var request = message.ReadSequence(new Asn1Tag(TagClass.Application, 23, isConstructed: true));
            if (Encoding.ASCII.GetString(request.ReadOctetString(new Asn1Tag(TagClass.ContextSpecific, 0))) != StartTlsOid)
            {
                return; // not StartTLS: stay silent
            }

            // SEQUENCE { messageID, [APPLICATION 24] ExtendedResponse { resultCode, matchedDN, diagnosticMessage, [10] responseName } }.
            var writer = new AsnWriter(AsnEncodingRules.BER);
            using (writer.PushSequence())
            {
                writer.WriteInteger(messageId);
                using (writer.PushSequence(new Asn1Tag(TagClass.Application, 24, isConstructed: true)))
                {
                    writer.WriteEnumeratedValue(LdapResultCode.Success);
                    writer.WriteOctetString([]);
                    writer.WriteOctetString([]);
                    writer.WriteOctetString(Encoding.ASCII.GetBytes(StartTlsOid), new Asn1Tag(TagClass.ContextSpecific, 10));
                }
            }

            await socket.SendAsync(writer.Encode(), _stop.Token);
            Interlocked.Increment(ref _startTlsAnswered);

            // The client's TLS ClientHello arrives next and is read, never answered.
            while (await socket.ReceiveAsync(buffer, _stop.Token) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or AsnContentException)
        {
            // stopped, or not LDAP
        }
    }

    private enum LdapResultCode
    {
        Success = 0,
    }
}
