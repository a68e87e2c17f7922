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

    public static ExecCredentialResponse Run(ExternalExecution exec)
    {
        using var process = new Process();
        process.StartInfo.Environment["KUBERNETES_EXEC_INFO"] = ExecInfo(exec.ApiVersion);
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
        process.StartInfo.UseShellExecute = false;
        process.StartInfo.CreateNoWindow = true;
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            throw new KubeConfigException($"external exec failed due to: {e.Message}", e);
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
            throw new KubeConfigException($"external exec failed due to failed deserialization process: the plugin's output is not an ExecCredential (line {e.LineNumber}, byte {e.BytePositionInLine})");
        }

        if (response is null || response.ApiVersion != exec.ApiVersion)
        {
            throw new KubeConfigException($"external exec failed because api version {response?.ApiVersion} does not match {exec.ApiVersion}");
        }

        return response.Status?.IsValid() == true
            ? response
            : throw new KubeConfigException("external exec failed missing token or clientCertificateData field in plugin output");
    }

    // What KubernetesClient writes: {"apiVersion":..., "kind":"ExecCredentials", "spec":{"interactive":...}}.
    private static string ExecInfo(string apiVersion)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("apiVersion", apiVersion);
            writer.WriteString("kind", "ExecCredentials");
            writer.WriteStartObject("spec");
            writer.WriteBoolean("interactive", Environment.UserInteractive);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
