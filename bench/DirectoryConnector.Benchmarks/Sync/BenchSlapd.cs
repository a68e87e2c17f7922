using System.Net.Sockets;
using System.Text;
using DirectoryConnector.TestSupport.Ldap;

namespace DirectoryConnector.Benchmarks.Sync;

/// <summary>
/// A throwaway slapd on 127.0.0.1 serving a generated <see cref="BenchDirectory"/>, loaded offline with slapadd (an
/// LDAP add of 200,000 entries would take minutes), for the sync and start-up benchmarks. The database can be served
/// again with the syncprov overlay (<see cref="ServeAsync"/>), so RFC 4533 content sync is measured on the same data.
/// </summary>
internal sealed class BenchSlapd : IAsyncDisposable
{
    private readonly string _work;
    private ServerProcess? _process;

    private BenchSlapd(string work, BenchDirectory directory, int port)
    {
        _work = work;
        Directory = directory;
        Port = port;
    }

    public BenchDirectory Directory { get; }

    public int Port { get; }

    public string Url => $"ldap://127.0.0.1:{Port}";

    /// <summary>Generates <paramref name="users"/> users in <paramref name="work"/>, loads them and serves them.</summary>
    public static async Task<BenchSlapd> StartAsync(string work, int users, bool contentSync)
    {
        Console.Error.WriteLine($"== {users} users: generating and loading with slapadd in {work}");
        var ldif = Path.Combine(work, "directory.ldif");
        var directory = BenchDirectory.Write(ldif, users);
        // -w writes the suffix's contextCSN, which the syncprov overlay answers content-sync requests from.
        await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("slapadd"), ["-q", "-w", "-f", WriteConfig(work, contentSync), "-l", ldif], CancellationToken.None);
        var slapd = new BenchSlapd(work, directory, ServerProcess.FreeLoopbackPort());
        await slapd.ServeAsync(contentSync);
        return slapd;
    }

    /// <summary>(Re)starts slapd on the same port and database, with or without the syncprov overlay.</summary>
    public async Task ServeAsync(bool contentSync)
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        _process = ServerProcess.Start(ServerProcess.FindExecutable("slapd"), ["-f", WriteConfig(_work, contentSync), "-h", $"{Url}/", "-d", "0"]);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            _process.ThrowIfExited();
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync("127.0.0.1", Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new InvalidOperationException($"slapd did not listen on {Port}: {_process.Log}");
    }

    /// <summary>Applies an LDIF change as the root DN.</summary>
    public async Task ModifyAsync(string ldif)
    {
        var file = Path.Combine(_work, $"modify-{Guid.NewGuid():N}.ldif");
        try
        {
            await File.WriteAllTextAsync(file, ldif);
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ldapmodify"), ["-x", "-H", Url, "-D", BenchDirectory.AdminDn, "-w", BenchDirectory.AdminPassword, "-f", file], CancellationToken.None);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }
    }

    private static string WriteConfig(string work, bool contentSync)
    {
        var database = Path.Combine(work, "db");
        System.IO.Directory.CreateDirectory(database);
        var config = new StringBuilder();
        foreach (var schema in new[] { "core", "cosine", "inetorgperson", "nis" })
        {
            config.Append("include /etc/ldap/schema/").Append(schema).AppendLine(".schema");
        }

        config.AppendLine("modulepath /usr/lib/ldap").AppendLine("moduleload back_mdb");
        if (contentSync)
        {
            config.AppendLine("moduleload syncprov");
        }

        config.Append("pidfile ").AppendLine(Path.Combine(work, "slapd.pid"));
        config.AppendLine("sizelimit unlimited");
        config.AppendLine("database mdb").AppendLine("maxsize 8589934592");
        config.Append("suffix \"").Append(BenchDirectory.Suffix).AppendLine("\"");
        config.Append("rootdn \"").Append(BenchDirectory.AdminDn).AppendLine("\"");
        config.Append("rootpw ").AppendLine(BenchDirectory.AdminPassword);
        config.Append("directory ").AppendLine(database);
        config.AppendLine("index objectClass eq");
        config.AppendLine("index entryCSN,entryUUID eq");
        if (contentSync)
        {
            // LDAP Content Synchronization (RFC 4533), so the no-change sync can use the incremental read.
            config.AppendLine("overlay syncprov");
        }

        var path = Path.Combine(work, contentSync ? "slapd-syncprov.conf" : "slapd.conf");
        File.WriteAllText(path, config.ToString());
        return path;
    }
}
