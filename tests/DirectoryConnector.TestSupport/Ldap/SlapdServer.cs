using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>One suffix (naming context) of a <see cref="SlapdServer"/>; its root DN is cn=admin,&lt;suffix&gt;.</summary>
/// <param name="CreateBaseEntry">False when the LDIF to be loaded brings the suffix entry itself.</param>
public sealed record SlapdSuffix(string Suffix, string AdminPassword = "admin", bool CreateBaseEntry = true)
{
    public string AdminDn => $"cn=admin,{Suffix}";
}

/// <summary>
/// A throwaway OpenLDAP slapd on 127.0.0.1 (ldap:// with StartTLS, and ldaps://) with a CA generated for the run,
/// run in the foreground from a temp directory, loaded with ldapadd, killed and deleted on dispose.
/// Needs the Debian packages slapd and ldap-utils (the system slapd need not run).
/// </summary>
public sealed class SlapdServer : IAsyncDisposable
{
    private readonly string _directory;
    private readonly string[] _arguments;
    private ServerProcess _process;

    private SlapdServer(ServerProcess process, string[] arguments, string directory, int ldapPort, int ldapsPort, TestCertificates certificates, IReadOnlyList<SlapdSuffix> suffixes)
    {
        _process = process;
        _arguments = arguments;
        _directory = directory;
        LdapPort = ldapPort;
        LdapsPort = ldapsPort;
        Certificates = certificates;
        Suffixes = suffixes;
    }

    public const string Host = "127.0.0.1";

    /// <summary>Plain LDAP and StartTLS.</summary>
    public int LdapPort { get; }

    public int LdapsPort { get; }

    public TestCertificates Certificates { get; }

    public IReadOnlyList<SlapdSuffix> Suffixes { get; }

    /// <param name="suffixes">Naming contexts, each its own database.</param>
    /// <param name="sizeLimit">Server size limit for everyone but the root DNs (also per page of a paged search);
    /// null for slapd's default 500.</param>
    /// <param name="extraSchemas">Schema files' text (slapd.conf syntax) to load after core, cosine, inetorgperson and nis,
    /// e.g. a vendor attribute the test needs.</param>
    /// <param name="passwordPolicy">Loads the ppolicy overlay on every database (its operational attributes, such as
    /// pwdAccountLockedTime, come with the overlay in OpenLDAP 2.5).</param>
    /// <param name="certificates">The TLS certificates to serve; a fresh CA and a certificate for 127.0.0.1/localhost otherwise.</param>
    /// <param name="contentSync">Loads the syncprov overlay on every database, so the server offers LDAP Content
    /// Synchronization (RFC 4533) as a syncrepl provider does.</param>
    /// <param name="sizeLimitCapsPagedSearches">With <paramref name="sizeLimit"/>: the plain <c>sizelimit N</c> of a
    /// default slapd, which caps a paged search's total at N too (size.prtotal defaults to the hard limit).</param>
    /// <param name="tls">False: a slapd without any TLS configuration, as installed before a certificate is set up:
    /// plain LDAP only, no ldaps:// listener (<see cref="LdapsPort"/> is 0), and StartTLS is refused.</param>
    public static async Task<SlapdServer> StartAsync(
        IReadOnlyList<SlapdSuffix> suffixes,
        int? sizeLimit = null,
        IReadOnlyList<string>? extraSchemas = null,
        bool passwordPolicy = false,
        TestCertificates? certificates = null,
        bool contentSync = false,
        bool sizeLimitCapsPagedSearches = false,
        bool tls = true,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suffixes);
        var slapd = ServerProcess.FindExecutable("slapd");
        var directory = Directory.CreateTempSubdirectory("slapd-test-").FullName;
        try
        {
            certificates ??= TestCertificates.Create();
            await File.WriteAllTextAsync(Path.Combine(directory, "ca.pem"), certificates.CaPem, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "cert.pem"), certificates.ServerCertificatePem, cancellationToken);
            await File.WriteAllTextAsync(Path.Combine(directory, "key.pem"), certificates.ServerKeyPem, cancellationToken);

            var config = new StringBuilder();
            foreach (var schema in new[] { "core", "cosine", "inetorgperson", "nis" })
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"include /etc/ldap/schema/{schema}.schema");
            }

            for (var i = 0; i < (extraSchemas?.Count ?? 0); i++)
            {
                var schemaPath = Path.Combine(directory, $"extra{i}.schema");
                await File.WriteAllTextAsync(schemaPath, extraSchemas![i], cancellationToken);
                config.AppendLine(CultureInfo.InvariantCulture, $"include {schemaPath}");
            }

            config.AppendLine("modulepath /usr/lib/ldap");
            config.AppendLine("moduleload back_mdb");
            if (passwordPolicy)
            {
                config.AppendLine("moduleload ppolicy");
            }

            if (contentSync)
            {
                config.AppendLine("moduleload syncprov");
            }

            config.AppendLine(CultureInfo.InvariantCulture, $"pidfile {directory}/slapd.pid");
            config.AppendLine(CultureInfo.InvariantCulture, $"argsfile {directory}/slapd.args");
            if (tls)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"TLSCACertificateFile {directory}/ca.pem");
                config.AppendLine(CultureInfo.InvariantCulture, $"TLSCertificateFile {directory}/cert.pem");
                config.AppendLine(CultureInfo.InvariantCulture, $"TLSCertificateKeyFile {directory}/key.pem");
            }

            if (sizeLimit is { } capped && sizeLimitCapsPagedSearches)
            {
                config.AppendLine(CultureInfo.InvariantCulture, $"sizelimit {capped}");
            }
            else if (sizeLimit is { } limit)
            {
                // size.pr caps each page too, as OpenLDAP deployments often do; prtotal lets a paged search read everything.
                config.AppendLine(CultureInfo.InvariantCulture, $"sizelimit size.soft={limit} size.hard={limit} size.pr={limit} size.prtotal=unlimited");
            }

            for (var i = 0; i < suffixes.Count; i++)
            {
                var database = Path.Combine(directory, $"db{i}");
                Directory.CreateDirectory(database);
                config.AppendLine("database mdb");
                config.AppendLine("maxsize 104857600");
                config.AppendLine(CultureInfo.InvariantCulture, $"suffix \"{suffixes[i].Suffix}\"");
                config.AppendLine(CultureInfo.InvariantCulture, $"rootdn \"{suffixes[i].AdminDn}\"");
                config.AppendLine(CultureInfo.InvariantCulture, $"rootpw {suffixes[i].AdminPassword}");
                config.AppendLine(CultureInfo.InvariantCulture, $"directory {database}");
                config.AppendLine("index objectClass eq");
                if (passwordPolicy)
                {
                    config.AppendLine("overlay ppolicy");
                }

                if (contentSync)
                {
                    config.AppendLine("index entryCSN,entryUUID eq");
                    config.AppendLine("overlay syncprov");
                }

                config.AppendLine("access to attrs=userPassword by self write by anonymous auth by * none");
                config.AppendLine("access to * by * read");
            }

            var configPath = Path.Combine(directory, "slapd.conf");
            await File.WriteAllTextAsync(configPath, config.ToString(), cancellationToken);

            var (ldapPort, ldapsPort) = (ServerProcess.FreeLoopbackPort(), tls ? ServerProcess.FreeLoopbackPort() : 0);
            var listeners = tls ? $"ldap://{Host}:{ldapPort}/ ldaps://{Host}:{ldapsPort}/" : $"ldap://{Host}:{ldapPort}/";
            string[] arguments = ["-f", configPath, "-h", listeners, "-d", "0"];
            var process = ServerProcess.Start(slapd, arguments);
            var server = new SlapdServer(process, arguments, directory, ldapPort, ldapsPort, certificates, suffixes);
            try
            {
                await server.WaitUntilListeningAsync(cancellationToken);
                foreach (var suffix in suffixes.Where(suffix => suffix.CreateBaseEntry))
                {
                    await server.AddLdifAsync(suffix, $"dn: {suffix.Suffix}\nobjectClass: dcObject\nobjectClass: organization\no: test\ndc: {FirstValue(suffix.Suffix)}\n", cancellationToken);
                }
            }
            catch
            {
                await server.DisposeAsync();
                throw;
            }

            return server;
        }
        catch
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>Adds entries with ldapadd as the suffix's root DN (changetype: add records are accepted too).</summary>
    public async Task AddLdifAsync(SlapdSuffix suffix, string ldif, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        var file = Path.Combine(_directory, $"add-{Guid.NewGuid():N}.ldif");
        await File.WriteAllTextAsync(file, ldif, cancellationToken);
        try
        {
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ldapadd"), ["-x", "-H", $"ldap://{Host}:{LdapPort}", "-D", suffix.AdminDn, "-w", suffix.AdminPassword, "-f", file], cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Applies an ldapmodify change (modify, delete, modrdn records).</summary>
    public async Task ModifyAsync(SlapdSuffix suffix, string ldif, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(suffix);
        var file = Path.Combine(_directory, $"modify-{Guid.NewGuid():N}.ldif");
        await File.WriteAllTextAsync(file, ldif, cancellationToken);
        try
        {
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ldapmodify"), ["-x", "-H", $"ldap://{Host}:{LdapPort}", "-D", suffix.AdminDn, "-w", suffix.AdminPassword, "-f", file], cancellationToken);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Restarts slapd as an administrator would (SIGTERM, wait for exit, start again on the same ports and
    /// databases): every open connection is closed; the entries are kept. Returns once it listens again.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await _process.StopAsync(TimeSpan.FromSeconds(30));
        await _process.DisposeAsync();
        _process = ServerProcess.Start(ServerProcess.FindExecutable("slapd"), _arguments);
        await WaitUntilListeningAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task WaitUntilListeningAsync(CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            _process.ThrowIfExited();

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, LdapPort, cancellationToken);
                if (LdapsPort != 0)
                {
                    using var clientTls = new TcpClient();
                    await clientTls.ConnectAsync(IPAddress.Loopback, LdapsPort, cancellationToken);
                }

                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }

    /// <summary>A loopback port nothing listens on (for "unreachable server" tests).</summary>
    public static int FreePortForTests() => ServerProcess.FreeLoopbackPort();

    private static string FirstValue(string dn) => dn.Split(',')[0].Split('=')[1].Trim();
}
