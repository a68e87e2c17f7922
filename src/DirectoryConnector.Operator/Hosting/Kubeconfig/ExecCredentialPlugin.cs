using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DirectoryConnector.Operator.Runtime;
using k8s;
using k8s.Exceptions;
using k8s.KubeConfigModels;

namespace DirectoryConnector.Operator.Hosting.Kubeconfig;

/// <summary>
/// Runs a kubeconfig user's exec credential plugin (client-go credential plugins: aws eks get-token,
/// gke-gcloud-auth-plugin, kubelogin, ...) as KubernetesClient's ExecuteExternalCommand does, without its reflection
/// JSON (it writes KUBERNETES_EXEC_INFO with JsonSerializer's reflection defaults, which Native AOT does not have):
/// the same environment, timeout (<see cref="KubernetesClientConfiguration.ExecTimeout"/>) and checks; arguments are
/// passed one by one, as kubectl does, not joined by spaces.
/// </summary>
internal static class ExecCredentialPlugin
{
    public static void Validate(ExternalExecution exec)
    {
        if (string.IsNullOrWhiteSpace(exec.Command))
        {
            throw new KubeConfigException("External command execution to receive user credentials must include a command to execute");
        }

        if (string.IsNullOrWhiteSpace(exec.ApiVersion))
        {
            throw new KubeConfigException("External command execution missing ApiVersion key");
        }
    }

    // client-go (clientcmd/api/v1/defaults.go, validation.go): v1alpha1 and v1beta1 default to IfAvailable; v1 must say.
    private static string InteractiveMode(ExternalExecution exec) => (exec as KubeconfigExecution)?.InteractiveMode switch
    {
        null or "" when exec.ApiVersion is "client.authentication.k8s.io/v1beta1" or "client.authentication.k8s.io/v1alpha1" => "IfAvailable",
        null or "" => throw new KubeConfigException($"exec.interactiveMode must be specified (Never, IfAvailable or Always) for an exec plugin of {exec.ApiVersion}, as kubectl requires."),
        var mode when mode is "Never" or "IfAvailable" or "Always" => mode,
        var mode => throw new KubeConfigException($"exec.interactiveMode \"{mode}\" is not Never, IfAvailable or Always."),
    };

    // client-go's isInteractive: only with a terminal on standard input, which an operator in a pod never has.
    private static bool Interactive(ExternalExecution exec) => InteractiveMode(exec) switch
    {
        "Never" => false,
        "IfAvailable" => !Console.IsInputRedirected,
        _ => !Console.IsInputRedirected
            ? true
            : throw new KubeConfigException("exec plugin cannot support interactive mode: exec.interactiveMode is Always and standard input is not a terminal"),
    };

    /// <param name="exec">The plugin.</param>
    /// <param name="cluster">The cluster, handed to the plugin when it asks for it (provideClusterInfo).</param>
    public static ExecCredentialResponse Run(ExternalExecution exec, ClusterEndpoint? cluster)
    {
        var interactive = Interactive(exec);
        using var process = new Process();
        process.StartInfo.Environment["KUBERNETES_EXEC_INFO"] = ExecInfo(exec.ApiVersion, interactive, exec.ProvideClusterInfo ? cluster : null);
        foreach (var variable in exec.EnvironmentVariables ?? [])
        {
            if (!variable.TryGetValue("name", out var name) || !variable.TryGetValue("value", out var value))
            {
                // Names only: a value may be a secret.
                throw new KubeConfigException($"Invalid environment variable defined in the exec plugin of the kubeconfig (keys: {string.Join(",", variable.Keys)}); name and value are required.");
            }

            process.StartInfo.Environment[name] = value;
        }

        process.StartInfo.FileName = exec.Command;
        foreach (var argument in exec.Arguments ?? [])
        {
            process.StartInfo.ArgumentList.Add(argument);
        }

        process.StartInfo.RedirectStandardOutput = true;
        // Not interactive: no standard input at all (client-go leaves it unset, i.e. /dev/null), so a plugin cannot
        // wait on a prompt nobody answers.
        process.StartInfo.RedirectStandardInput = !interactive;
        process.StartInfo.UseShellExecute = false;
        process.StartInfo.CreateNoWindow = true;
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            // client-go shows the kubeconfig's installHint when the command cannot be run.
            var hint = string.IsNullOrWhiteSpace(exec.InstallHint) ? "" : $"\n\n{exec.InstallHint.Trim()}";
            throw new KubeConfigException($"external exec failed due to: {e.Message}{hint}", e);
        }

        if (!interactive)
        {
            process.StandardInput.Close();
        }

        var output = new StringBuilder();
        process.OutputDataReceived += (_, line) =>
        {
            if (line.Data is not null)
            {
                lock (output)
                {
                    output.Append(line.Data);
                }
            }
        };
        process.BeginOutputReadLine();
        if (!process.WaitForExit(KubernetesClientConfiguration.ExecTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new KubeConfigException("external exec failed due to timeout");
        }

        // The parameterless wait also drains the redirected output.
        process.WaitForExit();
        ExecCredentialResponse? response;
        try
        {
            lock (output)
            {
                response = JsonSerializer.Deserialize(output.ToString(), OperatorJsonContext.Default.ExecCredentialResponse);
            }
        }
        catch (JsonException e)
        {
            // Position only: the output holds the credential.
            throw new KubeConfigException($"external exec failed due to failed deserialization process: the plugin's output is not an ExecCredential (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");
        }

        if (response is null || response.ApiVersion != exec.ApiVersion)
        {
            throw new KubeConfigException($"external exec failed because api version {response?.ApiVersion} does not match {exec.ApiVersion}");
        }

        return response.Status?.IsValid() == true
            ? response
            : throw new KubeConfigException("external exec failed missing token or clientCertificateData field in plugin output");
    }

    // client-go's ExecCredential (k8s.io/client-go/plugin/pkg/client/auth/exec): {"apiVersion":..., "kind":"ExecCredential",
    // "spec":{"interactive":..., "cluster":{...}}}; KubernetesClient writes the kind as "ExecCredentials", which a plugin
    // decoding it with client-go's scheme refuses, and interactive from Environment.UserInteractive (always true on Linux).
    private static string ExecInfo(string apiVersion, bool interactive, ClusterEndpoint? cluster)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", apiVersion);
            writer.WriteString("kind", "ExecCredential");
            writer.WriteStartObject("spec");
            if (cluster is not null)
            {
                WriteCluster(writer, cluster);
            }

            writer.WriteBoolean("interactive", interactive);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    // clientauthentication/v1 Cluster, as client-go's rest.ConfigToExecCluster fills it: the CA as base64 (the file read
    // when the kubeconfig names one), the cluster's exec extension as config.
    private static void WriteCluster(Utf8JsonWriter writer, ClusterEndpoint cluster)
    {
        writer.WriteStartObject("cluster");
        writer.WriteString("server", cluster.Server);
        if (!string.IsNullOrEmpty(cluster.TlsServerName))
        {
            writer.WriteString("tls-server-name", cluster.TlsServerName);
        }

        if (cluster.SkipTlsVerify)
        {
            writer.WriteBoolean("insecure-skip-tls-verify", true);
        }

        var ca = !string.IsNullOrEmpty(cluster.CertificateAuthorityData) ? cluster.CertificateAuthorityData
            : !string.IsNullOrEmpty(cluster.CertificateAuthority) ? Convert.ToBase64String(File.ReadAllBytes(cluster.CertificateAuthority)) : null;
        if (ca is not null)
        {
            writer.WriteString("certificate-authority-data", ca);
        }

        if (cluster is KubeconfigClusterEndpoint ours)
        {
            if (!string.IsNullOrEmpty(ours.ProxyUrl))
            {
                writer.WriteString("proxy-url", ours.ProxyUrl);
            }

            if (ours.DisableCompression)
            {
                writer.WriteBoolean("disable-compression", true);
            }
        }

        // Extension is dynamic in KubernetesClient's model: read as object, no runtime binder.
        object? config = cluster.Extensions?.FirstOrDefault(e => e.Name == "client.authentication.k8s.io/exec")?.Extension;
        if (config is not null)
        {
            writer.WritePropertyName("config");
            WriteUntyped(writer, config);
        }

        writer.WriteEndObject();
    }

    // A value of KubeconfigReader's untyped YAML (mappings, sequences, scalars) as JSON.
    private static void WriteUntyped(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case Dictionary<object, object?> mapping:
                writer.WriteStartObject();
                foreach (var (key, item) in mapping)
                {
                    writer.WritePropertyName(Convert.ToString(key, System.Globalization.CultureInfo.InvariantCulture) ?? "");
                    WriteUntyped(writer, item);
                }

                writer.WriteEndObject();
                break;
            case List<object?> sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteUntyped(writer, item);
                }

                writer.WriteEndArray();
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case int or long or double or float or decimal or uint or ulong or short or ushort or byte or sbyte:
                writer.WriteRawValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!);
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture));
                break;
        }
    }
}
