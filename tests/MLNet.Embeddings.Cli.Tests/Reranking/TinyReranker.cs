using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.Cli.Tests.Reranking;

/// <summary>
/// A tiny random BERT cross-encoder (a new head on the tiny-gelu test model), saved to a folder and loaded back as
/// <c>serve --reranker</c> loads it, with texts made of its vocabulary.
/// </summary>
internal sealed class TinyReranker : IDisposable
{
    public TinyReranker()
    {
        Folder = Path.Combine(Directory.CreateTempSubdirectory("cli-rerank-serve-").FullName, "tiny-reranker");
        CrossEncoder.FromEncoder(Path.Combine(Repository.Root, "tests", "MLNet.Embeddings.Tests", "Fixtures", "bert", "tiny-gelu"), seed: 11).Save(Folder);
        Model = CrossEncoder.Load(Folder);
        Words = File.ReadAllLines(Path.Combine(Folder, "vocab.txt")).Skip(5).Where(w => w.Length > 2 && w.All(char.IsAsciiLetterLower)).Take(200).ToArray();
    }

    public string Folder { get; }
    public CrossEncoder Model { get; }
    public string[] Words { get; }

    /// <summary>A text of <paramref name="words"/> random vocabulary words.</summary>
    public string Text(Random random, int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    public void Dispose() { try { Directory.Delete(Path.GetDirectoryName(Folder)!, true); } catch (IOException) { } }
}
