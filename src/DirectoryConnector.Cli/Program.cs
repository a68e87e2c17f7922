using System.CommandLine;

var root = new RootCommand("Keeps a Bitwarden organization's members and groups in sync with a company directory.");
return await root.Parse(args).InvokeAsync();
