using System.Text.Json.Nodes;
using MLNet.Embeddings.Tokenization.Unigram;

namespace MLNet.Embeddings.Tests.Tokenization;

/// <summary>
/// The tokenizer of <see cref="PrecompiledParityTests"/> with its normalizer swapped for Sequence[Precompiled, Strip
/// (right), Replace Regex " {2,}" → "▁", Replace String "``" → '"', Replace String "ß" → "ss", Lowercase] (the
/// normalizer stored in precompiled_variant_parity.json, charsmap taken from precompiled/tokenizer.json), against
/// HF tokenizers 0.22.2 on the same texts.
/// </summary>
public sealed class PrecompiledVariantParityTests() : HfParityTests<UnigramTokenizer>("precompiled_variant", UnigramTokenizer.FromTokenizerJson), IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("precompiled-variant-").FullName;
    private string? _path;

    public void Dispose() { try { Directory.Delete(_dir, true); } catch (IOException) { } }

    protected override string TokenizerPath => _path ??= Write();

    private string Write()
    {
        var tok = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("Tokenization/precompiled/tokenizer.json")))!;
        var variant = JsonNode.Parse(File.ReadAllText(TestPaths.Fixture("Tokenization/precompiled_variant_parity.json")))!["normalizer"]!.DeepClone();
        variant["normalizers"]![0]!["precompiled_charsmap"] = tok["normalizer"]!["normalizers"]![0]!["precompiled_charsmap"]!.GetValue<string>();
        tok["normalizer"] = variant;
        string path = Path.Combine(_dir, "tokenizer.json");
        File.WriteAllText(path, tok.ToJsonString());
        return path;
    }
}
