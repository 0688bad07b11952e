using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Data.Mining;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>data mine --cross-encoder MODEL</c>: the miner's margins move from the retriever's scores to the cross-encoder's.
/// The miner collects twice the negatives with no margin; then the cross-encoder rescores them and drops those within
/// the margins of the positive's score, keeping the first <c>--negatives</c> survivors per row.
/// </summary>
internal sealed class CrossEncoderJudge : IDisposable
{
    readonly ICrossEncoder _model;
    readonly float? _relative, _absolute;
    readonly int _keep;

    public CrossEncoderJudge(string model, MiningOptions options)
    {
        _model = RerankerArgument.Load(model, "--cross-encoder");
        _relative = options.RelativeMargin; _absolute = options.AbsoluteMargin; _keep = options.NumNegatives;
        if (_relative is null && _absolute is null) _absolute = 0f; // at least: no negative scoring above the positive
        options.RelativeMargin = null; options.AbsoluteMargin = null;
        options.NumNegatives *= 2;
    }

    /// <summary>Filters the mined file in place (atomically).</summary>
    public void Apply(string path)
    {
        var rows = TrainingDataReader.Read(path).ToList();
        long dropped = TeacherScores.FilterFalseNegatives(rows, _model, _relative, _absolute, _keep);
        TrainingDataWriter.WriteAll(path, rows);
        int short_ = rows.Count(r => r.Neg.Count < _keep);
        Console.Error.WriteLine($"mine: cross-encoder dropped {dropped} likely false negatives; {short_} of {rows.Count} rows have fewer than {_keep} negatives");
    }

    /// <summary>Releases an ONNX Runtime session.</summary>
    public void Dispose() => (_model as IDisposable)?.Dispose();
}
