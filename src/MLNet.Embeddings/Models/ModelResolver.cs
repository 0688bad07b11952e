using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Models;

/// <summary>
/// Turns a model name into a local folder before anything loads. The order is fixed, so a script means the same
/// everywhere: (1) an existing local path (folder or word-vector file) as it is; (2) <c>PREFIX:REFERENCE</c> handed to
/// the source registered for that prefix (<c>nuget:ID[@VERSION]</c>, <c>hf:ORG/NAME</c> …, see <see cref="ModelSources"/>);
/// (3) <c>ORG/NAME[@REVISION]</c>, a Hugging Face Hub repository, downloaded into (or found in) the huggingface_hub cache.
/// <see cref="SentenceEncoder.Load(string)"/>, the CLI's model options and the ML.NET options all call this.
/// </summary>
public static partial class ModelResolver
{
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,95}/[A-Za-z0-9_.\-]{1,96}(@[^\s@]+)?$")]
    private static partial Regex HubId();

    [GeneratedRegex(@"^([A-Za-z][A-Za-z0-9+.\-]{1,31}):(.+)$")]
    private static partial Regex Prefixed();

    /// <summary>Resolves <paramref name="name"/> with default options (see <see cref="ModelResolveOptions"/>).</summary>
    /// <exception cref="ModelFormatException">The name is not a path, not a known source, or its source could not provide it (the message says why and what to do).</exception>
    public static ResolvedModel Resolve(string name, CancellationToken cancellationToken = default) => Resolve(name, null, cancellationToken);

    /// <summary>Resolves <paramref name="name"/>: local path, then <c>PREFIX:REFERENCE</c>, then a Hub <c>ORG/NAME[@REVISION]</c>.</summary>
    /// <exception cref="ModelFormatException">The name is not a path, not a known source, or its source could not provide it (the message says why and what to do).</exception>
    public static ResolvedModel Resolve(string name, ModelResolveOptions? options, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        options ??= new ModelResolveOptions();
        if (File.Exists(name) || Directory.Exists(name)) return new ResolvedModel("local", name, null, name);

        if (Prefixed().Match(name) is { Success: true } m && !IsDriveLetter(name))
        {
            string prefix = m.Groups[1].Value;
            if (!ModelSources.TryGet(prefix, out var source))
            {
                string hint = ModelSources.ProvidingAssembly(prefix) is { } asm
                    ? $"the '{prefix}:' source is in {asm}: reference that package (it registers the source when loaded)."
                    : $"no model source is registered for '{prefix}:' (ModelSources.Register); known: {string.Join(", ", ModelSources.All.Select(s => s.Prefix + ":"))}.";
                throw new ModelFormatException(name, "not a local path, and " + hint);
            }
            return source.Resolve(m.Groups[2].Value, options, cancellationToken);
        }
        if (HubId().IsMatch(name))
            return ModelSources.TryGet("hf", out var hub) ? hub.Resolve(name, options, cancellationToken)
                : throw new ModelFormatException(name, "no Hub source registered.");
        throw new ModelFormatException(name,
            "no such model folder or file; a model name is a local path, nuget:ID[@VERSION] or a Hugging Face repo ORG/NAME[@REVISION].");
    }

    /// <summary>True when <paramref name="name"/> is not an existing local path but has the form of a name a source resolves.</summary>
    public static bool IsModelName(string name) =>
        !string.IsNullOrEmpty(name) && !File.Exists(name) && !Directory.Exists(name)
        && ((Prefixed().IsMatch(name) && !IsDriveLetter(name)) || HubId().IsMatch(name));

    static bool IsDriveLetter(string name) => name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0]) && (name.Length == 2 || name[2] is '\\' or '/');
}
