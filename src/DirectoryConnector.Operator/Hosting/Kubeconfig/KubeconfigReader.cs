using k8s.Exceptions;
using k8s.KubeConfigModels;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Reads a kubeconfig file into KubernetesClient's <see cref="K8SConfiguration"/> as
/// <c>KubernetesClientConfiguration.LoadKubeConfig(file, useRelativePaths: false)</c> does, without reflection:
/// KubernetesClient's YAML loader orders properties by metadata token in its static constructor, which a Native AOT
/// executable does not support, so every kubeconfig load would fail there. Same keys, same unknown keys ignored, same
/// merge keys (&lt;&lt;), same untyped values in extensions and preferences; an empty file is an empty configuration.
/// </summary>
public static class KubeconfigReader
{
    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new KubeconfigYamlContext())
        .IgnoreUnmatchedProperties()
        .WithAttemptingUnquotedStringTypeDeserialization()
        .WithNodeDeserializer(new UntypedNodeDeserializer(), where => where.OnTop())
        .Build();

    /// <summary>Reads <paramref name="file"/>; throws <see cref="KubeConfigException"/> naming it when it is no kubeconfig.</summary>
    public static K8SConfiguration Read(string file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var text = File.ReadAllText(file);
        KubeconfigDocument? document;
        try
        {
            document = Deserializer.Deserialize<KubeconfigDocument?>(new MergingParser(new Parser(new StringReader(text))));
        }
        catch (YamlException e)
        {
            // The position and YamlDotNet's reason, never the text there (it may be a token or a key).
            var reason = e.InnerException is null ? Reason(e) : "a value of the wrong type (e.g. not true or false)";
            throw new KubeConfigException($"the kubeconfig {file} is not valid: line {e.Start.Line}, column {e.Start.Column}: {reason}", e);
        }

        return Map(document ?? new KubeconfigDocument(), file);
    }

    /// <summary>The <c>auth-provider.config</c> of <paramref name="user"/> as this reader reads <paramref name="text"/>
    /// (null when there is none): how a written kubeconfig is checked before it replaces the file.</summary>
    internal static Dictionary<string, string>? AuthProviderConfig(string text, string user) =>
        Deserializer.Deserialize<KubeconfigDocument?>(new MergingParser(new Parser(new StringReader(text))))?
            .Users?.FirstOrDefault(u => u.Name == user)?.User?.AuthProvider?.Config;

    // YamlException's message repeats the position before " - ... : "; the reason follows the last ": ".
    private static string Reason(YamlException e)
    {
        var message = e.Message;
        var marks = message.IndexOf("): ", StringComparison.Ordinal);
        return marks < 0 ? message : message[(marks + 3)..];
    }

    private static K8SConfiguration Map(KubeconfigDocument document, string file)
    {
        var config = new K8SConfiguration
        {
            Preferences = document.Preferences,
            ApiVersion = document.ApiVersion,
            Kind = document.Kind,
            CurrentContext = document.CurrentContext,
            Extensions = Extensions(document.Extensions),
        };
        if (document.Contexts is { } contexts)
        {
            config.Contexts = [.. contexts.Select(Context)];
        }

        if (document.Clusters is { } clusters)
        {
            config.Clusters = [.. clusters.Select(Cluster)];
        }

        if (document.Users is { } users)
        {
            config.Users = [.. users.Select(user => User(user, file))];
        }

        return config;
    }

    private static Context Context(KubeconfigNamedContext context)
    {
        var result = new Context
        {
            Name = context.Name,
            Extensions = Extensions(context.Extensions),
            ContextDetails = context.Context is { } details ? new ContextDetails
            {
                Cluster = details.Cluster,
                User = details.User,
                Namespace = details.Namespace,
                Extensions = Extensions(details.Extensions),
            } : null,
        };
#pragma warning disable CS0618 // KubernetesClient reads it, so the same value is there
        result.Namespace = context.Namespace;
#pragma warning restore CS0618
        return result;
    }

    private static Cluster Cluster(KubeconfigNamedCluster cluster) => new()
    {
        Name = cluster.Name,
        ClusterEndpoint = cluster.Cluster is { } endpoint ? new KubeconfigClusterEndpoint
        {
            CertificateAuthority = endpoint.CertificateAuthority,
            CertificateAuthorityData = endpoint.CertificateAuthorityData,
            Server = endpoint.Server,
            TlsServerName = endpoint.TlsServerName,
            SkipTlsVerify = endpoint.SkipTlsVerify,
            Extensions = Extensions(endpoint.Extensions),
            ProxyUrl = endpoint.ProxyUrl,
            DisableCompression = endpoint.DisableCompression,
        } : null,
    };

    private static User User(KubeconfigNamedUser user, string file) => new()
    {
        Name = user.Name,
        UserCredentials = user.User is { } credentials ? Credentials(credentials, user.Name, file) : null,
    };

    private static KubeconfigUserCredentials Credentials(KubeconfigUser user, string? name, string file)
    {
        var credentials = new KubeconfigUserCredentials
        {
            ClientCertificateData = user.ClientCertificateData,
            ClientCertificate = user.ClientCertificate,
            ClientKeyData = user.ClientKeyData,
            ClientKey = user.ClientKey,
            Token = user.Token,
            Impersonate = user.Impersonate,
            UserName = user.UserName,
            Password = user.Password,
            AuthProvider = user.AuthProvider is { } provider ? new AuthProvider { Name = provider.Name, Config = provider.Config } : null,
            Extensions = Extensions(user.Extensions),
            TokenFile = user.TokenFile,
            ImpersonateUid = user.ImpersonateUid,
            ExternalExecution = user.Exec is { } exec ? new KubeconfigExecution
            {
                ApiVersion = exec.ApiVersion,
                Command = exec.Command,
                EnvironmentVariables = exec.Env,
                Arguments = exec.Args,
                InstallHint = exec.InstallHint,
                ProvideClusterInfo = exec.ProvideClusterInfo,
                InteractiveMode = exec.InteractiveMode,
            } : null,
        };
        // Absent keys keep the model's defaults (empty), as with KubernetesClient's loader.
        if (user.ImpersonateGroups is { } groups)
        {
            credentials.ImpersonateGroups = groups;
        }

        if (user.ImpersonateUserExtra is { } extra)
        {
            // KubernetesClient's model holds one string per key (it reads only that); client-go a list (kubectl writes
            // that). Both are read; the model gets the values joined, the impersonation all of them.
            var joined = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (key, value) in extra)
            {
                List<string> values = value switch
                {
                    null => [],
                    List<object?> list when list.All(item => item is not (Dictionary<object, object?> or List<object?>)) => [.. list.Select(Scalar)],
                    Dictionary<object, object?> or List<object?> => throw new KubeConfigException(
                        $"the kubeconfig {file} is not valid: users[{name}].user.as-user-extra.{key} must be a string or a list of strings"),
                    _ => [Scalar(value)],
                };
                credentials.ImpersonateExtra[key] = values;
                joined[key] = string.Join(",", values);
            }

            credentials.ImpersonateUserExtra = joined;
        }

        return credentials;
    }

    // An untyped scalar as the text it was written as (YamlDotNet turned true, 3 and 0.5 into bool, int and double).
    private static string Scalar(object? value) => value switch
    {
        null => "",
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static List<NamedExtension>? Extensions(List<KubeconfigNamedExtension>? extensions) =>
        extensions?.Select(extension => new NamedExtension { Name = extension.Name, Extension = extension.Extension }).ToList();
}
