// Test names are sentences.

using System.Net;
using System.Net.Sockets;
using DirectoryConnector.Engine.Sources.Ldap;
using FluentAssertions;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Sources;

/// <summary>The diagnosis's own LDAP exchange, against loopback sockets that answer as a server would.</summary>
public sealed class LdapTlsDiagnosisTests
{
    [Fact]
    public void The_StartTLS_request_is_the_ExtendedRequest_of_RFC_4511()
    {
        // SEQUENCE { INTEGER 1, [APPLICATION 23] { [0] "1.3.6.1.4.1.1466.20037" } }
        byte[] expected = [0x30, 0x1d, 0x02, 0x01, 0x01, 0x77, 0x18, 0x80, 0x16, .. "1.3.6.1.4.1.1466.20037"u8];

        LdapTlsDiagnosis.StartTlsRequest().Should().Equal(expected);
    }

    [Theory]
    [InlineData(new byte[] { 0x30, 0x0c, 0x02, 0x01, 0x01, 0x78, 0x07, 0x0a, 0x01, 0x02, 0x04, 0x00, 0x04, 0x00 }, nameof(LdapConnectProblem.StartTlsRefused), "the server refused StartTLS (LDAP result 2)")]
    [InlineData(new byte[] { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x50 }, nameof(LdapConnectProblem.HandshakeFailed), "is not an LDAP extended response")]
    public async Task A_refused_or_foreign_answer_to_StartTLS_is_named(byte[] answer, string problem, string expected)
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var server = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            var stream = accepted.GetStream();
            var request = new byte[LdapTlsDiagnosis.StartTlsRequest().Length];
            await stream.ReadExactlyAsync(request);
            // The answer in two writes: the diagnosis reads until the message is whole.
            await stream.WriteAsync(answer.AsMemory(0, 3));
            await stream.FlushAsync();
            await stream.WriteAsync(answer.AsMemory(3));
            var rest = new byte[1];
            _ = await stream.ReadAsync(rest); // until the client closes
        });

        var diagnosis = await LdapTlsDiagnosis.DiagnoseAsync("127.0.0.1", port, LdapEncryption.StartTls, null, false,
            TimeSpan.FromMinutes(2), CancellationToken.None);

        diagnosis!.Problem.ToString().Should().Be(problem);
        diagnosis.Detail.Should().Contain(expected);
        await server;
    }
}
