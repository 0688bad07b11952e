using BenchmarkDotNet.Running;

namespace MLNet.Embeddings.Benchmarks;

/// <summary>Runs BenchmarkDotNet suites (<c>dotnet run -c Release --project tests/Benchmarks -- --filter '*'</c>)
/// or the bench commands that print ratios against reference implementations.</summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "tokenizer") return Tokenization.TokenizerThroughput.Run(args[1..]);
        if (args.Length > 0 && args[0] == "sgemm") return SgemmBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "encoder") return EncoderBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "train") return TrainBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "onnx") return OnnxBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "torch") return TorchInferenceBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "minilm") return MiniLmBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "batch") return BatchBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "mlnet") return MlNetBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "relevance") return RelevanceBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "rerank") return RerankBench.Run(args[1..]);
        if (args.Length > 0 && args[0] == "rerank-serve") return RerankServeBench.Run(args[1..]);
        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
