using DirectoryConnector.Cli;

var root = CliApplication.CreateRootCommand();
return await CliApplication.RunAsync(root, args, Console.Out, Console.Error);
