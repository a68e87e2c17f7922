// Test names are sentences.

using System.Net;
using System.Net.Sockets;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Sync;
using DirectoryConnector.TestSupport.Http;
using DirectoryConnector.TestSupport.Ldap;
using FluentAssertions;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Http;

/// <summary>The one translation of transport failures every typed client uses: real connections to loopback servers.</summary>
public class HttpServiceTests
{
    private static readonly HttpService Service = new("Example", "spec.source.example.url", "spec.source.example.caSecretRef");

    [Fact]
    public async Task A_refused_connection_is_retryable_and_names_the_url_and_its_field()
    {
        using var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var services = HttpTestKit.Services(configure: options => options.MaxAttempts = 1);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"http://127.0.0.1:{port}/users?token=notInTheMessage");

        var act = () => Service.SendAsync(services.Client().Http, request, "listing users", CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Reason.Should().Be(SyncFailureReason.SourceUnavailable);
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().StartWith($"Example at http://127.0.0.1:{port}/users could not be reached for listing users: connection failed (")
            .And.Contain("refused").And.Contain("spec.source.example.url").And.NotContain("notInTheMessage");
    }

    [Fact]
    public async Task An_untrusted_certificate_is_not_retryable_and_names_caSecretRef()
    {
        var certificates = TestCertificates.Create("Service Test CA");
        await using var server = await LoopbackHttpsServer.StartAsync(certificates.ServerCertificate(), context => context.Response.WriteAsync("ok"));
        await using var services = HttpTestKit.Services();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "users"));

        var act = () => Service.SendAsync(services.Client().Http, request, "listing users", CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Retryable.Should().BeFalse("the certificate will be the same on the next try");
        failure.Message.Should().StartWith("Example could not be reached for listing users: ").And.Contain("CN=Service Test CA")
            .And.Contain("spec.source.example.caSecretRef");
    }

    [Fact]
    public async Task A_server_that_never_answers_is_a_retryable_timeout_naming_the_tries()
    {
        await using var server = await LoopbackHttpsServer.StartAsync(null, context => Task.Delay(Timeout.Infinite, context.RequestAborted));
        await using var services = HttpTestKit.Services(configure: options =>
        {
            options.AttemptTimeout = TimeSpan.FromMilliseconds(200);
            options.MaxAttempts = 2;
        }, time: TimeProvider.System);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "slow"));

        var act = () => Service.SendAsync(services.Client().Http, request, "listing users", CancellationToken.None);

        var failure = (await act.Should().ThrowAsync<SyncFailedException>()).Which;
        failure.Retryable.Should().BeTrue();
        failure.Message.Should().StartWith($"Example at {server.BaseUrl}slow did not answer listing users in time after 2 attempts (");
    }

    [Fact]
    public void The_callers_own_cancellation_and_other_exceptions_are_not_transport_failures()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var url = new Uri("https://example.test/");

        Service.TransportFailure(new TaskCanceledException(), "x", url, cancelled.Token).Should().BeNull();
        Service.TransportFailure(new InvalidOperationException("bug"), "x", url, CancellationToken.None).Should().BeNull();
        Service.TransportFailure(new TaskCanceledException(), "x", url, CancellationToken.None)!.Message.Should().Contain("did not answer x in time");
    }
}
