using DirectoryConnector.Cli.Manifests;
using DirectoryConnector.Engine.Configuration;
using DirectoryConnector.Engine.Sync;
using FluentAssertions;
using DirectoryConnector.TestSupport;
using Xunit;
using DirectoryConnector.Engine.Sources.Ldap;

namespace DirectoryConnector.Cli.Tests.Manifests;

public sealed class ManifestReaderTests
{
    private const string DirectorySyncHeader = """
        apiVersion: directoryconnector.dev/v1alpha1
        kind: DirectorySync
        metadata: {name: corp, namespace: bitwarden}
        """;

    private static ManifestSet Read(string yaml, string fileName = "/manifests/corp.yaml")
    {
        var set = new ManifestSet();
        ManifestReader.Read(yaml, fileName, set, EngineServices.Providers);
        return set;
    }

    private static string ErrorOf(string yaml)
        => FluentActions.Invoking(() => Read(yaml)).Should().Throw<ManifestException>().Which.Problems.Should().ContainSingle().Subject;

    [Theory]
    [InlineData("{name: Demo_1, namespace: bitwarden}", "metadata.name: \"Demo_1\" is not a name Kubernetes accepts")]
    [InlineData("{name: corp-, namespace: bitwarden}", "metadata.name: \"corp-\" is not a name Kubernetes accepts")]
    [InlineData("{name: corp, namespace: bit.warden}", "metadata.namespace: \"bit.warden\" is not a namespace name Kubernetes accepts")]
    public void NamesTheApiServerWouldRefuseAreRefused(string metadata, string message)
    {
        var yaml = DirectorySyncHeader.Replace("{name: corp, namespace: bitwarden}", metadata, StringComparison.Ordinal) + """

            spec:
              bitwarden:
                apiKeySecretRef: {name: bitwarden-org-api-key}
              source:
                file: {path: users.json}
            """;

        ErrorOf(yaml).Should().Contain(message).And.Contain("DNS-1123");
    }

    [Fact]
    public void ReadsTheIssueSpecWithItsFlowMappingsAndQuotedSuffix()
    {
        var set = Read(DirectorySyncHeader + """

            spec:
              interval: 15m
              bitwarden:
                serverUrl: https://vault.bitwarden.eu
                organizationId: ""
                apiKeySecretRef: {name: bitwarden-org-api-key, clientIdKey: client_id, clientSecretKey: client_secret}
              source:
                ldap:
                  hostname: dc1.corp.example.com
                  port: 636
                  encryption: ldaps
                  activeDirectory: true
                  rootPath: dc=corp,dc=example,dc=com
                  username: cn=svc-bitwarden,ou=Service,dc=corp,dc=example,dc=com
                  passwordSecretRef: {name: corp-ldap-bind, key: password}
                  emailSuffix: "@corp.example.com"
              filters:
                users: "(memberOf=cn=Bitwarden,ou=Groups,dc=corp,dc=example,dc=com)"
              sync: {users: true, groups: false, removeDisabled: true}
            """);

        var sync = set.DirectorySyncs.Should().ContainSingle().Subject;
        sync.Name.Should().Be("corp");
        sync.Namespace.Should().Be("bitwarden");
        var spec = sync.Spec;
        spec.Bitwarden.ServerUrl.Should().Be("https://vault.bitwarden.eu");
        spec.Bitwarden.OrganizationId.Should().BeEmpty();
        spec.Source.Ldap!.Port.Should().Be(636);
        spec.Source.Ldap.Encryption.Should().Be(LdapEncryption.Ldaps);
        spec.Source.Ldap.ActiveDirectory.Should().BeTrue();
        spec.Source.Ldap.EmailSuffix.Should().Be("@corp.example.com");
        spec.Filters.Users.Should().Be("(memberOf=cn=Bitwarden,ou=Groups,dc=corp,dc=example,dc=com)");
        spec.Sync.Groups.Should().BeFalse();
        spec.Sync.RemoveDisabled.Should().BeTrue();
        spec.Sync.Users.Should().BeTrue();
        EngineServices.Validator.Validate(spec).Should().BeEmpty();
    }

    [Fact]
    public void AnUnknownFieldIsNamedByItsPath()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              source:
                ldap:
                  hostnme: dc1.corp.example.com
            """).Should().Be("/manifests/corp.yaml (DirectorySync corp): spec.source.ldap.hostnme: unknown field");

    [Fact]
    public void FieldNamesAreCaseSensitiveLikeTheApiServer()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              Interval: 15m
            """).Should().EndWith("spec.Interval: unknown field");

    [Fact]
    public void AQuotedNumberIsAStringAndNotAPort()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              source:
                ldap:
                  port: "636"
            """).Should().EndWith("spec.source.ldap.port: expected an integer, not a string: remove the quotes");

    [Fact]
    public void APlainWordWhereABooleanBelongsNamesTheExpectedValues()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              sync:
                users: yes please
            """).Should().EndWith("spec.sync.users: expected true or false, not a string");

    [Fact]
    public void AnUnknownEncryptionListsTheChoices()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              source:
                ldap:
                  encryption: tls
            """).Should().EndWith("spec.source.ldap.encryption: expected one of none, startTls, ldaps");

    [Fact]
    public void QuotedTrueIsAStringSoAPlainStringFieldKeepsIt()
    {
        var set = Read(DirectorySyncHeader + """

            spec:
              bitwarden:
                organizationId: "1234"
              filters:
                groups: 'true'
            """);
        set.DirectorySyncs[0].Spec.Bitwarden.OrganizationId.Should().Be("1234");
        set.DirectorySyncs[0].Spec.Filters.Groups.Should().Be("true");
    }

    [Fact]
    public void AnUnquotedNumberWhereAStringBelongsIsRefused()
        => ErrorOf(DirectorySyncHeader + """

            spec:
              bitwarden:
                organizationId: 1234
            """).Should().EndWith("spec.bitwarden.organizationId: expected a string, not a number");

    [Fact]
    public void SecretsDecodeDataAndStringDataWinsLikeTheApiServer()
    {
        var set = Read("""
            apiVersion: v1
            kind: Secret
            metadata: {name: corp-ldap-bind, namespace: bitwarden}
            type: Opaque
            data:
              password: c2VjcmV0LWZyb20tZGF0YQ==
              username: YWRtaW4=
            stringData:
              password: "from stringData"
            """);

        var secret = set.Secrets.Should().ContainSingle().Subject;
        secret.Values.Should().BeEquivalentTo(new Dictionary<string, string>
        {
            ["password"] = "from stringData",
            ["username"] = "admin",
        });
    }

    [Fact]
    public void InvalidBase64NamesTheKeyButNeverTheValue()
    {
        var error = ErrorOf("""
            apiVersion: v1
            kind: Secret
            metadata: {name: corp-ldap-bind}
            data:
              password: not*base64*hunter2
            """);
        error.Should().Contain("data.password: is not base64").And.Contain("Secret corp-ldap-bind").And.NotContain("hunter2");
    }

    [Fact]
    public void AnUnquotedNumberInStringDataAsksForQuotes()
        => ErrorOf("""
            apiVersion: v1
            kind: Secret
            metadata: {name: pin}
            stringData:
              pin: 1234
            """).Should().EndWith("stringData.pin: expected a string, not a number; quote the value");

    [Fact]
    public void MultiDocumentFilesYieldEveryKindAndIgnoreOthers()
    {
        var set = Read(DirectorySyncHeader + """

            spec:
              source: {file: {path: directory.ldif}}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: directory}
            data:
              directory.ldif: |
                dn: dc=example,dc=com
            ---
            apiVersion: v1
            kind: Namespace
            metadata: {name: bitwarden}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: bitwarden-org-api-key}
            stringData: {client_id: organization.abc, client_secret: s3cr3t}
            ---
            """);

        set.DirectorySyncs.Should().ContainSingle();
        set.ConfigMaps.Should().ContainSingle().Which.Values["directory.ldif"].Should().Be("dn: dc=example,dc=com\n");
        set.Secrets.Should().ContainSingle().Which.Values["client_secret"].Should().Be("s3cr3t");
    }

    [Fact]
    public void AListAsKubectlGetWritesItYieldsItsItems()
    {
        // kubectl get dsync,secret -n bitwarden -o yaml: one v1 List, server fields and status included.
        var set = Read("""
            apiVersion: v1
            kind: List
            metadata: {resourceVersion: ""}
            items:
            - apiVersion: directoryconnector.dev/v1alpha1
              kind: DirectorySync
              metadata: {name: corp, namespace: bitwarden, uid: 5f0c8d9e-1111-2222-3333-444455556666, resourceVersion: "4711", generation: 3}
              spec:
                bitwarden: {apiKeySecretRef: {name: bw}}
                source: {file: {path: users.ldif}}
              status: {userCount: 12}
            - apiVersion: v1
              kind: Secret
              metadata: {name: bw, namespace: bitwarden}
              type: Opaque
              data: {client_id: b3JnYW5pemF0aW9uLng=}
            """);

        set.DirectorySyncs.Should().ContainSingle().Which.Spec.Source.File!.Path.Should().Be("/manifests/users.ldif");
        set.Secrets.Should().ContainSingle().Which.Values.Should().Equal(new Dictionary<string, string> { ["client_id"] = "organization.x" });

        ErrorOf("apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Secret, metadata: {name: a}}\n- {apiVersion: v1, kind: Secret, metadata: {name: b}, strngData: {}}\n")
            .Should().Be("/manifests/corp.yaml: document 1: items[1]: strngData: unknown field");
    }

    [Fact]
    public void ARelativeFilePathIsResolvedAgainstTheManifestsFolder()
    {
        var set = Read(DirectorySyncHeader + """

            spec:
              source: {file: {path: exports/directory.ldif}}
            """, "/srv/manifests/corp.yaml");
        set.DirectorySyncs[0].Spec.Source.File!.Path.Should().Be("/srv/manifests/exports/directory.ldif");
    }

    [Fact]
    public void BrokenYamlGivesTheLine()
        => ErrorOf("apiVersion: v1\nkind: Secret\nmetadata: {name: x\n").Should().StartWith("/manifests/corp.yaml: line ");

    [Theory]
    [InlineData("spec:\n\tinterval: 15m\n", 5, 1)]
    [InlineData("spec:\n  sync:\n\t  users: true\n", 6, 1)]
    [InlineData("spec:\n  bitwarden:\n    caSecretRef: {name: ca, key: ca.crt}\n  filters:\n    users: |\n      (cn=a)\n      \t(cn=b)\n  sync:\n\tusers: true\n", 12, 1)]
    public void ATabInTheIndentationIsNamedWhereItIs(string spec, int line, int column)
        => ErrorOf(DirectorySyncHeader + "\n" + spec).Should().Be($"/manifests/corp.yaml: line {line}, column {column}: not valid YAML: the line is indented with a tab; YAML indents with spaces only");

    [Fact]
    public void DuplicateKeysAreRefused()
        => ErrorOf(DirectorySyncHeader + "\nspec:\n  interval: 15m\n  interval: 30m\n").Should().Contain("line 6").And.Contain("Duplicate key interval");

    [Fact]
    public void SeveralDirectorySyncsRequireName()
    {
        var set = Read(DirectorySyncHeader + "\nspec: {}\n---\n" + DirectorySyncHeader.Replace("corp", "eu", StringComparison.Ordinal) + "\nspec: {}\n");

        FluentActions.Invoking(() => set.SelectDirectorySync(null)).Should().Throw<ManifestException>()
            .WithMessage("the files define 2 DirectorySyncs (corp, eu): choose one with --name");
        set.SelectDirectorySync("eu").Name.Should().Be("eu");
        FluentActions.Invoking(() => set.SelectDirectorySync("us")).Should().Throw<ManifestException>()
            .WithMessage("--name: no DirectorySync named \"us\"*found corp, eu");
    }

    [Fact]
    public async Task ReferencesResolveFromTheManifestsAndNameWhatIsMissing()
    {
        var set = Read("""
            apiVersion: v1
            kind: Secret
            metadata: {name: corp-ldap-bind, namespace: bitwarden}
            stringData: {password: hunter2}
            ---
            apiVersion: v1
            kind: Secret
            metadata: {name: other-namespace, namespace: finance}
            stringData: {password: nope}
            """);
        var resolver = new ManifestReferenceResolver(set, "bitwarden");

        (await resolver.GetSecretValueAsync("corp-ldap-bind", "password", "spec.source.ldap.passwordSecretRef.key", CancellationToken.None)).Should().Be("hunter2");

        var missingKey = await FluentActions.Awaiting(() => resolver.GetSecretValueAsync("corp-ldap-bind", "pass", "spec.source.ldap.passwordSecretRef.key", CancellationToken.None))
            .Should().ThrowAsync<SyncFailedException>();
        missingKey.Which.Reason.Should().Be(SyncFailureReason.SecretNotFound);
        missingKey.Which.Message.Should().Be("spec.source.ldap.passwordSecretRef.key: Secret \"corp-ldap-bind\" given with -f has no key \"pass\" (keys present: password); "
            + "add the key to the Secret, or set spec.source.ldap.passwordSecretRef.key to a key it has.").And.NotContain("hunter2");

        var otherNamespace = await FluentActions.Awaiting(() => resolver.GetSecretValueAsync("other-namespace", "password", "spec.source.ldap.passwordSecretRef.key", CancellationToken.None))
            .Should().ThrowAsync<SyncFailedException>();
        otherNamespace.Which.Message.Should().Be("spec.source.ldap.passwordSecretRef.name: Secret \"other-namespace\" was not found in the files given with -f (in namespace \"bitwarden\" or without one); "
            + "add its manifest with another -f (in a cluster: create it in the DirectorySync's namespace), or set spec.source.ldap.passwordSecretRef.name to a Secret that exists.");
    }

    [Fact]
    public async Task ADirectoryStandsForItsYamlAndJsonFilesAsWithKubectl()
    {
        var folder = Directory.CreateTempSubdirectory("dc-manifests-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "corp.yaml"), DirectorySyncHeader + "\nspec: {source: {file: {path: users.ldif}}}\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "secrets.yml"), "apiVersion: v1\nkind: Secret\nmetadata: {name: bw}\nstringData: {client_id: x}\n");
            await File.WriteAllTextAsync(Path.Combine(folder, "users.ldif"), "dn: cn=not,dc=a,dc=manifest\n");
            Directory.CreateDirectory(Path.Combine(folder, "nested"));
            await File.WriteAllTextAsync(Path.Combine(folder, "nested", "other.yaml"), DirectorySyncHeader.Replace("corp", "nested", StringComparison.Ordinal) + "\nspec: {}\n");

            var set = await ManifestReader.ReadFilesAsync([folder], EngineServices.Providers, CancellationToken.None);

            set.DirectorySyncs.Should().ContainSingle("subdirectories are not read, as kubectl without -R").Which.File.Should().Be(Path.Combine(folder, "corp.yaml"));
            set.Secrets.Should().ContainSingle().Which.Name.Should().Be("bw");

            var empty = Path.Combine(folder, "nested", "empty");
            Directory.CreateDirectory(empty);
            (await FluentActions.Awaiting(() => ManifestReader.ReadFilesAsync([empty], EngineServices.Providers, CancellationToken.None))
                .Should().ThrowAsync<ManifestException>()).Which.Problems.Should().Equal($"{empty}: is a directory without .yaml, .yml or .json files; give the manifest files with -f");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task DashReadsStandardInputOnceWithPathsRelativeToTheWorkingDirectory()
    {
        var yaml = System.Text.Encoding.UTF8.GetBytes(DirectorySyncHeader + "\nspec: {source: {file: {path: users.ldif}}}\n");
        Stream Input() => new MemoryStream(yaml);

        var set = await ManifestReader.ReadFilesAsync(["-"], EngineServices.Providers, CancellationToken.None, Input);

        var directorySync = set.DirectorySyncs.Should().ContainSingle().Subject;
        directorySync.File.Should().Be("(stdin)");
        directorySync.Spec.Source.File!.Path.Should().Be(Path.Combine(Directory.GetCurrentDirectory(), "users.ldif"), "as with kubectl, piped manifests have no folder of their own");

        (await FluentActions.Awaiting(() => ManifestReader.ReadFilesAsync(["-", "-"], EngineServices.Providers, CancellationToken.None, Input))
            .Should().ThrowAsync<ManifestException>()).Which.Problems.Should().Equal("-f -: standard input is given twice; it can be read once");

        var tooLarge = new MemoryStream(new byte[ManifestReader.MaxFileBytes + 1]);
        (await FluentActions.Awaiting(() => ManifestReader.ReadFilesAsync(["-"], EngineServices.Providers, CancellationToken.None, () => tooLarge))
            .Should().ThrowAsync<ManifestException>()).Which.Problems.Should().ContainSingle().Which.Should().StartWith("(stdin): more than the 3 MiB a manifest may have");
    }

    [Fact]
    public void ADirectorySyncGivenTwiceIsRefusedNamingWhereEachCameFrom()
    {
        var set = new ManifestSet();
        ManifestReader.Read(DirectorySyncHeader + "\nspec: {}\n", "/manifests/corp.yaml", set, EngineServices.Providers);
        ManifestReader.Read(DirectorySyncHeader + "\nspec: {}\n", "/manifests/copy.yaml", set, EngineServices.Providers);

        FluentActions.Invoking(() => set.SelectDirectorySync("corp")).Should().Throw<ManifestException>()
            .WithMessage("DirectorySync corp is defined 2 times (in /manifests/corp.yaml, /manifests/copy.yaml): give each manifest once, and each DirectorySync one name");
    }

    [Theory]
    [InlineData("v1", "DirectorySyncs", "kind: \"DirectorySyncs\" is not a kind: did you mean DirectorySync?")]
    [InlineData("directoryconnector.dev/v1alpha1", "DirectorySynk", "kind: \"DirectorySynk\" is not a kind: did you mean DirectorySync?")]
    [InlineData("v1", "configmap", "kind: \"configmap\" is not a kind: did you mean ConfigMap?")]
    [InlineData("apps/v1", "Secret", "apiVersion: \"apps/v1\" is not v1 (Secrets are v1)")]
    [InlineData("v1", "Secrett", "kind: \"Secrett\" is not a kind: did you mean Secret?")]
    [InlineData("v1", "Secert", "kind: \"Secert\" is not a kind: did you mean Secret?")]
    [InlineData("v1", "ConfigMpa", "kind: \"ConfigMpa\" is not a kind: did you mean ConfigMap?")]
    public void AMisspeltKindOfOursIsAnErrorInsteadOfBeingIgnored(string apiVersion, string kind, string error)
        => ErrorOf($"apiVersion: {apiVersion}\nkind: {kind}\nmetadata: {{name: x}}\n").Should().Be($"/manifests/corp.yaml: document 1: {error}{(error.StartsWith("kind", StringComparison.Ordinal) ? " (other kinds are ignored)" : "")}");

    [Fact]
    public void OtherKindsAreStillIgnored()
        => Read("apiVersion: v1\nkind: Namespace\nmetadata: {name: bitwarden}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                + string.Concat(CoreV1Kinds.Select(kind => $"---\napiVersion: v1\nkind: {kind}\nmetadata: {{name: x}}\n")))
            .DirectorySyncs.Should().BeEmpty();

    // Every other kind of the core v1 API (kubectl api-resources --api-group=''): none may read as a typo of ours.
    private static readonly string[] CoreV1Kinds = ["Binding", "ComponentStatus", "Endpoints", "Event", "LimitRange", "Namespace", "Node",
        "PersistentVolumeClaim", "PersistentVolume", "Pod", "PodTemplate", "ReplicationController", "ResourceQuota", "ServiceAccount", "Service", "List"];

    [Fact]
    public async Task AManifestInLatin1IsRefusedNamingTheLine()
    {
        var file = Path.Combine(Directory.CreateTempSubdirectory("dc-manifests-").FullName, "corp.yaml");
        await File.WriteAllBytesAsync(file, System.Text.Encoding.Latin1.GetBytes(DirectorySyncHeader + "\nspec: {interval: 15m} # caf\u00e9\n"));

        var problems = (await FluentActions.Awaiting(() => ManifestReader.ReadFilesAsync([file], EngineServices.Providers, CancellationToken.None))
            .Should().ThrowAsync<ManifestException>()).Which.Problems;

        problems.Should().Equal($"{file}: line 4 is not UTF-8 text (byte 0xE9: the file is in another encoding, e.g. Latin-1 or Windows-1252); save it as UTF-8 (e.g. with iconv -f WINDOWS-1252 -t UTF-8)");
        Directory.Delete(Path.GetDirectoryName(file)!, recursive: true);
    }

    [Theory]
    [InlineData("interval: 15", "spec.interval")]
    [InlineData("sync: {fullSyncInterval: 24}", "spec.sync.fullSyncInterval")]
    public void ABareNumberWhereADurationBelongsAsksForAUnit(string line, string field)
        => ErrorOf(DirectorySyncHeader + $"\nspec:\n  {line}\n").Should()
            .EndWith($"{field}: expected a duration such as 15m or 1h30m, not a number (a number has no unit: write 15m, not 15)");

    [Theory]
    [InlineData("interval: [1, 2]", "spec.interval: expected a duration such as 15m or 1h30m, not a list")]
    [InlineData("interval: {minutes: 15}", "spec.interval: expected a duration such as 15m or 1h30m, not a mapping")]
    [InlineData("interval: true", "spec.interval: expected a duration such as 15m or 1h30m, not a boolean")]
    [InlineData("sync: {fullSyncInterval: [24h]}", "spec.sync.fullSyncInterval: expected a duration such as 15m or 1h30m, not a list")]
    [InlineData("source: {ldap: {timeout: {seconds: 30}}}", "spec.source.ldap.timeout: expected a duration such as 15m or 1h30m, not a mapping")]
    [InlineData("source: {ldap: {hostname: [dc1, dc2]}}", "spec.source.ldap.hostname: expected a string, not a list")]
    [InlineData("source: {ldap: {port: [389]}}", "spec.source.ldap.port: expected an integer, not a list")]
    [InlineData("sync: {users: {enabled: true}}", "spec.sync.users: expected true or false, not a mapping")]
    [InlineData("sync: [users]", "spec.sync: expected a mapping, not a list")]
    public void AValueOfTheWrongShapeIsNamedAsWrittenWithTheFormTheFieldExpects(string line, string error)
        => ErrorOf(DirectorySyncHeader + $"\nspec:\n  {line}\n").Should().EndWith(error);

    [Theory]
    [InlineData("stringData: {password: [a, b]}", "stringData.password: expected a string, not a list; write the value on one line, or as a YAML block (|)")]
    [InlineData("stringData: [password]", "stringData: expected a mapping of keys to strings, not a list")]
    public void ASecretValueOfTheWrongShapeIsNamedAsWritten(string line, string error)
        => ErrorOf($"apiVersion: v1\nkind: Secret\nmetadata: {{name: bind}}\n{line}\n").Should().EndWith(error);

    [Fact]
    public void SecretDataThatIsNotUtf8TextIsRefusedWithoutEchoingIt()
    {
        // "caf\xe9-SENTINEL" in Latin-1, base64-encoded: before, the bind password became "caf\uFFFD-SENTINEL".
        var data = Convert.ToBase64String(System.Text.Encoding.Latin1.GetBytes("caf\u00e9-SENTINEL"));

        ErrorOf($"apiVersion: v1\nkind: Secret\nmetadata: {{name: bind}}\ndata: {{password: {data}}}\n").Should()
            .Be("/manifests/corp.yaml: document 1 (Secret bind): data.password: decodes to bytes that are not UTF-8 text; base64-encode the UTF-8 text (or use stringData)")
            .And.NotContain("SENTINEL").And.NotContain(data);
    }
}
