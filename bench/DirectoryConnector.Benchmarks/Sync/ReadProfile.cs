using System.Diagnostics;
using System.DirectoryServices.Protocols;
using System.Globalization;
using System.Net;
using System.Text.Json;
using DirectoryConnector.Engine;
using DirectoryConnector.Engine.Bitwarden;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Planning;
using DirectoryConnector.Engine.Sources;
using DirectoryConnector.Engine.Sources.Ldap;
using Microsoft.Extensions.DependencyInjection;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>Where read + plan spends its time and allocations, in this process: the LDAP read (searches and mapping),
/// the planner, and building and serializing the import requests. A Stopwatch and GC allocation profile.</summary>
internal static class ReadProfile
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static async Task<string> RunAsync(int port)
    {
        await using var services = new ServiceCollection().AddLogging().AddDirectoryConnectorEngine().BuildServiceProvider();
        var spec = new DirectorySyncSpec
        {
            Bitwarden = new BitwardenSpec { ServerUrl = "https://127.0.0.1", ApiKeySecretRef = new ApiKeySecretRef { Name = "unused" } },
            Source = new SourceSpec
            {
                Ldap = new LdapSourceSpec
                {
                    Hostname = "127.0.0.1", Port = port, RootPath = BenchDirectory.Suffix, Username = BenchDirectory.AdminDn,
                    PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" }, UserPath = "ou=People", GroupPath = "ou=Groups",
                },
            },
        };
        var source = await services.GetRequiredService<SpecValidator>().Check(spec).CreateSourceAsync(new Password(), CancellationToken.None);
        var steps = new List<string>();
        using var sampler = new AllocationSampler();
        T Step<T>(string name, Func<T> run)
        {
            GC.Collect();
            sampler.Start();
            var (allocated, cpu, watch) = (GC.GetTotalAllocatedBytes(precise: true), Process.GetCurrentProcess().TotalProcessorTime, Stopwatch.StartNew());
            var result = run();
            steps.Add(string.Create(CultureInfo.InvariantCulture,
                $"{name}: {watch.Elapsed.TotalSeconds:0.000} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.000} s CPU, {(GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1048576.0:0} MiB allocated; sampled by type:")
                + sampler.Stop());
            return result;
        }

        Step("bare S.DS.P paged search (same entries and attributes, no mapping)", () => BareSearch(port));
        var snapshot = Step("LDAP read (searches + mapping)", () => source.ReadAsync(new DirectoryQuery(Users: true, Groups: true, IncludeDeleted: false), CancellationToken.None).GetAwaiter().GetResult());
        var plan = Step("plan (normalize, flatten, hash)", () => ImportPlanner.Plan(snapshot, spec.Sync, "scope"));
        var requests = Step("build import requests", () => ImportRequestBuilder.Build(plan, true, true, true));
        Step("serialize import bodies", () => requests.Sum(r => JsonSerializer.SerializeToUtf8Bytes(r, Json).Length));
        steps.Add(string.Create(CultureInfo.InvariantCulture, $"retained after plan: {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:0} MiB managed heap, {Environment.WorkingSet / 1048576.0:0} MiB working set"));
        GC.KeepAlive(plan);
        return string.Join('\n', steps);
    }

    /// <summary>The floor: System.DirectoryServices.Protocols alone reading what the source reads (users with the
    /// attributes the mapping requests, then groups with cn and member), 1000 entries a page, every value touched.</summary>
    internal static long BareSearch(int port)
    {
        using var connection = new LdapConnection(new LdapDirectoryIdentifier("127.0.0.1", port))
        {
            AuthType = AuthType.Basic,
            Credential = new NetworkCredential(BenchDirectory.AdminDn, BenchDirectory.AdminPassword),
            AutoBind = false,
        };
        connection.SessionOptions.ProtocolVersion = 3;
        connection.Bind();
        long bytes = 0;
        string[] userAttributes = ["mail", "uid", "objectSid", "primaryGroupID", "objectClass", "userAccountControl", "nsAccountLock", "pwdAccountLockedTime", "loginDisabled"];
        foreach (var (searchBase, filter, attributes) in new[]
        {
            ($"ou=People,{BenchDirectory.Suffix}", "(objectClass=inetOrgPerson)", userAttributes),
            (BenchDirectory.Suffix, "(objectClass=groupOfNames)", new[] { "cn", "objectSid", "member" }),
        })
        {
            var request = new SearchRequest(searchBase, filter, SearchScope.Subtree, attributes);
            var paging = new PageResultRequestControl(1000);
            request.Controls.Add(paging);
            while (true)
            {
                var response = (SearchResponse)connection.SendRequest(request);
                foreach (SearchResultEntry entry in response.Entries)
                {
                    bytes += entry.DistinguishedName.Length;
                    foreach (string name in entry.Attributes.AttributeNames)
                    {
                        foreach (byte[] value in entry.Attributes[name].GetValues(typeof(byte[])))
                        {
                            bytes += value.Length;
                        }
                    }
                }

                var page = response.Controls.OfType<PageResultResponseControl>().FirstOrDefault();
                if (page is null || page.Cookie.Length == 0)
                {
                    break;
                }

                paging.Cookie = page.Cookie;
            }
        }

        return bytes;
    }

    private sealed class Password : IReferenceResolver
    {
        public Task<string> GetSecretValueAsync(string secretName, string key, string keyField, CancellationToken cancellationToken) => Task.FromResult(BenchDirectory.AdminPassword);

        public Task<string> GetConfigMapValueAsync(string configMapName, string key, string keyField, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
