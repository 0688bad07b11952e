using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// Fresh-process helper: <c>dotnet MLNet.Embeddings.ML.Tests.dll load-check MODEL.zip INPUT.tsv OUT.bin COLUMN...</c>
/// loads the zip exactly as the snippet does, transforms the TSV (header; text columns) and writes every float
/// of the named columns, row by row, as raw little-endian bits. <c>mlmem</c> runs <see cref="MemoryProbe"/>;
/// <c>load-error MODEL.zip</c> prints the exception <see cref="EmbeddingModel.Load"/> gives.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "mlmem") return MemoryProbe.Run(args[1..]);
        if (args.Length == 2 && args[0] == "load-error") // prints the error EmbeddingModel.Load gives for the zip
        {
            try { EmbeddingModel.Load(new MLContext(), args[1], out _); Console.WriteLine("loaded"); return 0; }
            catch (Exception e) { Console.WriteLine(e.GetType().Name + ": " + e.Message); return 1; }
        }
        if (args.Length < 4 || args[0] != "load-check") { Console.Error.WriteLine("usage: load-check MODEL.zip INPUT.tsv OUT.bin COLUMN..."); return 2; }
        var ml = new MLContext(seed: 1);
        ml.ComponentCatalog.RegisterAssembly(typeof(FineTuneEmbeddingOptions).Assembly);
        ITransformer loaded = ml.Model.Load(args[1], out var schema);
        var header = File.ReadLines(args[2]).First().Split('\t');
        var loader = ml.Data.CreateTextLoader(header.Select((h, i) => new TextLoader.Column(h, DataKind.String, i)).ToArray(), separatorChar: '\t', hasHeader: true, allowQuoting: false);
        var output = loaded.Transform(loader.Load(args[2]));
        using var w = new BinaryWriter(File.Create(args[3]));
        foreach (var name in args.Skip(4)) RawColumn.Write(output, name, w);
        return 0;
    }
}
