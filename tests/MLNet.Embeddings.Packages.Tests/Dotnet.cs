using System.Diagnostics;
using System.Text;

namespace MLNet.Embeddings.Packages.Tests;

/// <summary>Runs the dotnet CLI (or another program) and returns its exit code and combined output.</summary>
public static class Dotnet
{
    /// <summary>Runs <paramref name="file"/> with <paramref name="args"/> in <paramref name="cwd"/>; throws with the output on a non-zero exit.</summary>
    public static string Run(string cwd, string file, params string[] args) => RunWith(cwd, null, file, args);

    /// <summary>As <see cref="Run"/>, with extra environment variables.</summary>
    public static string RunWith(string cwd, IDictionary<string, string>? env, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { WorkingDirectory = cwd, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        // The test host's own MSBuild settings must not leak into the child builds.
        foreach (var k in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "DOTNET_HOST_PATH" }) psi.Environment.Remove(k);
        if (env != null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var output = new StringBuilder();
        using var p = new Process { StartInfo = psi };
        p.OutputDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.ErrorDataReceived += (_, e) => { if (e.Data != null) lock (output) output.AppendLine(e.Data); };
        p.Start();
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        if (!p.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} (in {cwd}) ran past 20 minutes:\n{output}");
        }
        p.WaitForExit();
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} (in {cwd}) exited with {p.ExitCode}:\n{output}");
        return output.ToString();
    }
}
