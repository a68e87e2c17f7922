using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.TestSupport.Ldap;

/// <summary>
/// A real Samba Active Directory domain controller for tests: provisioned into a temp directory, seeded offline in
/// one transaction (much faster than ldapadd), and serving LDAP only, on a loopback address of its own
/// (Samba's ports are fixed at 389/636, so each instance gets a random 127.x.y.z added to lo and removed on dispose).
/// As a real DC it keeps its default <c>ldap server require strong auth = yes</c>: a simple bind must come over TLS
/// (ldaps on 636 or StartTLS on 389), with a server certificate for its address and dc1.test.local signed by a CA
/// generated for the run (<see cref="CaPem"/>).
/// Needs root and the Debian packages samba, samba-ad-provision, samba-dsdb-modules, winbind, python3-samba
/// (pulled in by samba) and iproute2.
/// </summary>
public sealed class SambaDomainController : IAsyncDisposable
{
    public const string Realm = "TEST.LOCAL";
    public const string DomainDn = "DC=test,DC=local";
    public const string AdministratorUpn = "Administrator@test.local";
    public const string AdministratorPassword = "Passw0rd!Passw0rd";
    public const string CorpOu = "OU=Corp," + DomainDn;
    public const string BulkOu = "OU=Bulk," + DomainDn;
    public const string OuterGroupDn = "CN=Outer,OU=Corp," + DomainDn;
    public const string InnerGroupDn = "CN=Inner,OU=Corp," + DomainDn;
    public const string BigGroupDn = "CN=Big,OU=Bulk," + DomainDn;

    /// <summary>The DNS name the DC's certificate lists besides its address (not resolvable: tests connect by address).</summary>
    public const string HostName = "dc1.test.local";

    private readonly ServerProcess _process;
    private readonly string _directory;

    private SambaDomainController(ServerProcess process, string directory, string address, string caPem, IReadOnlyDictionary<string, string> guids, TimeSpan provision, TimeSpan seed, TimeSpan start)
    {
        _process = process;
        _directory = directory;
        Address = address;
        CaPem = caPem;
        ObjectGuids = guids;
        ProvisionTime = provision;
        SeedTime = seed;
        StartTime = start;
    }

    /// <summary>The loopback address the DC listens on (port 389).</summary>
    public string Address { get; }

    /// <summary>The PEM certificate of the CA that signed the DC's certificate (for spec.source.ldap.caSecretRef).</summary>
    public string CaPem { get; }

    /// <summary>ldaps://address, for the OpenLDAP tools run with <see cref="ToolEnvironment"/>.</summary>
    public string LdapsUri => $"ldaps://{Address}";

    /// <summary>What the OpenLDAP tools (ldapsearch, ldapmodify) need to trust the DC's certificate and check its name.</summary>
    public IReadOnlyDictionary<string, string> ToolEnvironment => new Dictionary<string, string>
    {
        ["LDAPTLS_CACERT"] = Path.Combine(_directory, "tls", "ca.pem"),
        ["LDAPTLS_REQCERT"] = "demand",
    };

    /// <summary>sAMAccountName → objectGUID as Samba itself renders it (the tombstone's too, under "eve").</summary>
    public IReadOnlyDictionary<string, string> ObjectGuids { get; }

    public TimeSpan ProvisionTime { get; }

    public TimeSpan SeedTime { get; }

    public TimeSpan StartTime { get; }

    /// <summary>Provisions, seeds (<paramref name="bulkUsers"/> users in one group, plus <see cref="SambaSeed"/>) and starts a DC.</summary>
    public static async Task<SambaDomainController> StartAsync(int bulkUsers = 1600, CancellationToken cancellationToken = default)
    {
        if (!string.Equals(Environment.UserName, "root", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("The Samba AD DC fixture needs root (it binds port 389 on a loopback address it adds).");
        }

        var sambaTool = ServerProcess.FindExecutable("samba-tool");
        var samba = ServerProcess.FindExecutable("samba");
        var address = await AddLoopbackAddressAsync(cancellationToken);
        var directory = Directory.CreateTempSubdirectory("samba-dc-test-").FullName;
        try
        {
            var clock = Stopwatch.StartNew();
            await ServerProcess.RunToolAsync(sambaTool,
            [
                "domain", "provision", $"--targetdir={directory}", $"--realm={Realm}", "--domain=TEST", "--server-role=dc",
                "--dns-backend=NONE", $"--adminpass={AdministratorPassword}", $"--host-ip={address}", "--use-rfc2307",
                $"--option=interfaces={address}/32", "--option=bind interfaces only=yes", "--option=netbios name=DC1",
            ], cancellationToken);
            var provision = clock.Elapsed;

            var configPath = Path.Combine(directory, "etc", "smb.conf");
            var config = await File.ReadAllTextAsync(configPath, cancellationToken);
            var runDirectory = Directory.CreateDirectory(Path.Combine(directory, "run")).FullName;
            var tls = await WriteCertificatesAsync(directory, address, cancellationToken);
            config = string.Join('\n', config.Split('\n').Select(line => line.TrimStart() switch
            {
                var l when l.StartsWith("server services", StringComparison.Ordinal) =>
                    // LDAP only. "ldap server require strong auth" keeps its default (yes): simple binds need TLS.
                    $"\tserver services = ldap, cldap\n\tpid directory = {runDirectory}\n\ttls enabled = yes\n"
                    + $"\ttls keyfile = {tls}/key.pem\n\ttls certfile = {tls}/cert.pem\n\ttls cafile = {tls}/ca.pem",
                var l when l.StartsWith("log file", StringComparison.Ordinal) => $"\tlog file = {directory}/samba.log",
                _ => line,
            }));
            await File.WriteAllTextAsync(configPath, config, cancellationToken);

            clock.Restart();
            var seedScript = Path.Combine(directory, "seed.py");
            var guidsPath = Path.Combine(directory, "guids.json");
            await File.WriteAllTextAsync(seedScript, SambaSeed.PythonScript, cancellationToken);
            // Samba's Python bindings live in the system interpreter, not in whatever python3 is first on PATH.
            await ServerProcess.RunToolAsync("/usr/bin/python3", [seedScript, configPath, bulkUsers.ToString(CultureInfo.InvariantCulture), guidsPath], cancellationToken);
            var seed = clock.Elapsed;
            var guids = JsonSerializer.Deserialize<Dictionary<string, string>>(await File.ReadAllTextAsync(guidsPath, cancellationToken))!;

            clock.Restart();
            var process = ServerProcess.Start(samba, ["-s", configPath, "-i", "-M", "single", "--debug-stdout"]);
            var caPem = await File.ReadAllTextAsync(Path.Combine(tls, "ca.pem"), cancellationToken);
            var controller = new SambaDomainController(process, directory, address, caPem, guids, provision, seed, TimeSpan.Zero);
            try
            {
                await controller.WaitUntilAnsweringAsync(cancellationToken);
            }
            catch
            {
                await controller.DisposeAsync();
                throw;
            }

            return new SambaDomainController(process, directory, address, caPem, guids, provision, seed, clock.Elapsed);
        }
        catch
        {
            await RemoveLoopbackAddressAsync(address);
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }

            throw;
        }
    }

    /// <summary>
    /// A spec reading this DC as Administrator over TLS with the certificate and its name checked: encryption
    /// <paramref name="encryption"/>, caSecretRef ldap-ca/ca.crt (to hold <see cref="CaPem"/>), passwordSecretRef
    /// ldap-bind/password (to hold <see cref="AdministratorPassword"/>), rootPath the domain.
    /// </summary>
    public LdapSourceSpec SourceSpec(LdapEncryption encryption = LdapEncryption.Ldaps, string? userPath = "OU=Corp") => new()
    {
        Hostname = Address,
        Encryption = encryption,
        CaSecretRef = new SecretKeyRef { Name = "ldap-ca", Key = "ca.crt" },
        ActiveDirectory = true,
        RootPath = DomainDn,
        UserPath = userPath,
        Username = AdministratorUpn,
        PasswordSecretRef = new SecretKeyRef { Name = "ldap-bind", Key = "password" },
    };

    /// <summary>Applies an ldapmodify change (add, modify, delete, modrdn records) as Administrator over LDAPS.</summary>
    public async Task ModifyAsync(string ldif, CancellationToken cancellationToken = default)
    {
        var file = Path.Combine(_directory, $"modify-{Guid.NewGuid():N}.ldif");
        await File.WriteAllTextAsync(file, ldif, cancellationToken);
        try
        {
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ldapmodify"), ["-x", "-H", LdapsUri, "-D", AdministratorUpn, "-w", AdministratorPassword, "-f", file], cancellationToken, ToolEnvironment);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Deletes an entry and everything below it (ldapdelete -r); nothing when it does not exist.</summary>
    public async Task DeleteTreeAsync(string dn, CancellationToken cancellationToken = default)
    {
        try
        {
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ldapdelete"),
                ["-x", "-r", "-H", LdapsUri, "-D", AdministratorUpn, "-w", AdministratorPassword, dn], cancellationToken, ToolEnvironment);
        }
        catch (InvalidOperationException) when (!cancellationToken.IsCancellationRequested)
        {
            // No such object.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        await RemoveLoopbackAddressAsync(Address);
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task WaitUntilAnsweringAsync(CancellationToken cancellationToken)
    {
        var ldapsearch = ServerProcess.FindExecutable("ldapsearch");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            _process.ThrowIfExited();

            try
            {
                using (var client = new TcpClient())
                {
                    await client.ConnectAsync(IPAddress.Parse(Address), 636, cancellationToken);
                }

                // The port opens before the directory answers binds.
                await ServerProcess.RunToolAsync(ldapsearch, ["-x", "-H", LdapsUri, "-D", AdministratorUpn, "-w", AdministratorPassword, "-b", DomainDn, "-s", "base", "dn"], cancellationToken, ToolEnvironment);
                return;
            }
            catch (Exception ex) when (ex is SocketException or InvalidOperationException && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250, cancellationToken);
            }
        }
    }

    /// <summary>A CA and a certificate for the DC's address and <see cref="HostName"/> in &lt;directory&gt;/tls; Samba
    /// refuses a key file others can read, so it is written 0600. Returns the folder.</summary>
    private static async Task<string> WriteCertificatesAsync(string directory, string address, CancellationToken cancellationToken)
    {
        var certificates = TestCertificates.Create("Samba DC Test CA", [HostName], [IPAddress.Parse(address)]);
        var tls = Directory.CreateDirectory(Path.Combine(directory, "tls")).FullName;
        await File.WriteAllTextAsync(Path.Combine(tls, "ca.pem"), certificates.CaPem, cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(tls, "cert.pem"), certificates.ServerCertificatePem, cancellationToken);
        var key = Path.Combine(tls, "key.pem");
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("The Samba AD DC fixture runs on Linux.");
        }

        await using (var stream = new FileStream(key, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        }))
        await using (var writer = new StreamWriter(stream))
        {
            await writer.WriteAsync(certificates.ServerKeyPem.AsMemory(), cancellationToken);
        }

        return tls;
    }

    private static async Task<string> AddLoopbackAddressAsync(CancellationToken cancellationToken)
    {
        var ip = ServerProcess.FindExecutable("ip");
        for (var attempt = 0; ; attempt++)
        {
            var address = $"127.{RandomNumberGenerator.GetInt32(100, 250)}.{RandomNumberGenerator.GetInt32(0, 256)}.{RandomNumberGenerator.GetInt32(1, 255)}";
            try
            {
                await ServerProcess.RunToolAsync(ip, ["addr", "add", $"{address}/32", "dev", "lo"], cancellationToken);
                return address;
            }
            catch (InvalidOperationException) when (attempt < 5)
            {
                // taken: try another
            }
        }
    }

    private static async Task RemoveLoopbackAddressAsync(string address)
    {
        try
        {
            await ServerProcess.RunToolAsync(ServerProcess.FindExecutable("ip"), ["addr", "del", $"{address}/32", "dev", "lo"], CancellationToken.None);
        }
        catch (InvalidOperationException)
        {
            // already removed
        }
    }
}
