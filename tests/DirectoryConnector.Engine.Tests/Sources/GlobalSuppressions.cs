using System.Diagnostics.CodeAnalysis;

// Test names are sentences.
[assembly: SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores", Justification = "Test names are sentences", Scope = "namespaceanddescendants", Target = "~N:DirectoryConnector.Engine.Tests.Sources")]
