using DirectoryConnector.Cli;
using DirectoryConnector.Operator.Runtime;

// Before any Kubernetes call: KubernetesJson's options freeze when first used (see OperatorJson).
OperatorJson.Register();
var root = CliApplication.CreateRootCommand();
return await CliApplication.RunAsync(root, args, Console.Out, Console.Error);
