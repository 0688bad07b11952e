namespace MLNet.Embeddings.Cli.Tests;

/// <summary>
/// Tests that redirect the console, set process environment variables (NUGET_PACKAGES, HF_HOME, …) or change the
/// current directory. They run one at a time and never beside another collection, since a child process started
/// by a test elsewhere (dotnet pack, the packed tool, a served CLI) would inherit a half-set environment.
/// </summary>
[CollectionDefinition("Console", DisableParallelization = true)]
public sealed class ConsoleCollection;
