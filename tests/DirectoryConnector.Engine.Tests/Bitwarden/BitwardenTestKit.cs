using System.Collections.Concurrent;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Http;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.TestSupport.Bitwarden;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Xunit;

namespace DirectoryConnector.Engine.Tests.Bitwarden;

internal static class BitwardenTestKit
{
    /// <summary>The default policy with short delays so tests do not sleep for seconds.</summary>
    public static BitwardenClientOptions FastOptions() => new()
    {
        BaseRetryDelay = TimeSpan.FromMilliseconds(10),
        MaxRetryDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>A client as the engine gets it: from DI, on the shared HTTP plumbing, trusting <paramref name="caPem"/> when given.</summary>
    public static BitwardenClient Client(BitwardenClientOptions? options = null, ILogger<BitwardenClient>? logger = null, BitwardenTokenCache? tokens = null,
        string? caPem = null)
    {
        var services = new ServiceCollection().AddBitwardenClient();
        services.AddSingleton(Options.Create(options ?? FastOptions()));
        services.AddSingleton(logger ?? new ListLogger<BitwardenClient>());
        services.AddSingleton(tokens ?? new BitwardenTokenCache());
        // Handlers and connection pools live as long as the test process: the client outlives this method.
        return services.BuildServiceProvider().GetRequiredService<DirectoryHttpClientFactory>().Create<BitwardenClient>(caPem);
    }

    public static BitwardenEndpoints Endpoints(BitwardenStandIn standIn) =>
        BitwardenEndpoints.FromSpec(new BitwardenSpec { ServerUrl = standIn.BaseUrl.ToString() });

    public static OrganizationApiKey Key(BitwardenStandIn standIn) => new(standIn.ClientId, standIn.ClientSecret);

    public static ImportMemberRequest Member(string name, bool deleted = false) => new($"{name}@corp.example.com", $"uid={name},ou=People", deleted);

    public static OrganizationImportRequest Request(IEnumerable<ImportMemberRequest> members, IEnumerable<ImportGroupRequest>? groups = null, bool overwrite = false) =>
        new([.. groups ?? []], [.. members], overwrite, LargeImport: false, InviteUsersAfterProvisioning: true);

    public static ImportPlan Plan(IEnumerable<PlannedMember> members, IEnumerable<PlannedGroup> groups, bool overwrite = false) => new()
    {
        Members = [.. members],
        Groups = [.. groups],
        Skipped = [],
        Present = new DirectoryPresence(new HashSet<string>(), new HashSet<string>()),
        OverwriteExisting = overwrite,
        MembersHash = "",
        GroupsHash = "",
    };

    public static PlannedMember PlannedMember(string name, bool disabled = false, bool deleted = false) =>
        new($"{name}@corp.example.com", $"uid={name},ou=People", disabled, deleted, $"uid={name},ou=People");

    public static PlannedGroup PlannedGroup(string name, string externalId, params string[] memberNames) =>
        new(name, externalId, [.. memberNames.Select(n => $"uid={n},ou=People")], externalId);

    /// <summary>Members of the stand-in's organization as "email status", sorted.</summary>
    public static string[] MemberSummary(BitwardenStandIn standIn) =>
        [.. standIn.Organization.Members.Select(m => $"{m.Email} {m.Status}").Order(StringComparer.Ordinal)];

    /// <summary>Groups as "name: member emails" (the external id for a member without one), sorted.</summary>
    public static string[] GroupEmailSummary(BitwardenStandIn standIn)
    {
        var organization = standIn.Organization;
        var emails = organization.Members.Where(m => m.ExternalId is not null).ToDictionary(m => m.ExternalId!, m => m.Email, StringComparer.Ordinal);
        return [.. organization.Groups
            .Select(g => $"{g.Name}: {string.Join(' ', organization.MemberExternalIdsOf(g).Select(id => emails.GetValueOrDefault(id, id)).Order(StringComparer.Ordinal))}")
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>Groups as "name: member external ids", sorted.</summary>
    public static string[] GroupSummary(BitwardenStandIn standIn) =>
        [.. standIn.Organization.Groups.Select(g => $"{g.Name}: {string.Join(' ', standIn.Organization.MemberExternalIdsOf(g))}").Order(StringComparer.Ordinal)];
}

/// <summary>Keeps every log line, fully formatted, so tests can check that secrets never reach a log.</summary>
internal sealed class ListLogger<T> : ILogger<T>
{
    public ConcurrentQueue<string> Lines { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
        Lines.Enqueue($"{logLevel}: {formatter(state, exception)} [{values}] {exception}");
    }
}
