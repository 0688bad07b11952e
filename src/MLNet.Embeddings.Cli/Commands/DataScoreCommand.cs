using System.CommandLine;
using MLNet.Embeddings.CrossEncoders;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Reranking;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>data score --input FILE --output FILE --teacher MODEL</c>: writes <c>pos_scores</c> / <c>neg_scores</c> from a teacher —
/// a cross-encoder (raw logits) or an embedding model (its similarity) — so that <c>train --loss margin-mse|distill</c>
/// and <c>train-reranker --loss margin-mse</c> run on the file.
/// </summary>
internal static class DataScoreCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input") { Description = "Training rows (JSONL) with query, pos and neg.", Required = true };
        var output = new Option<string>("--output") { Description = "Output JSONL (written atomically): the rows with pos_scores and neg_scores.", Required = true };
        var teacher = new Option<string>("--teacher") { Description = "Cross-encoder folder or its exported .onnx file (logits), or embedding model folder (similarity).", Required = true };
        var batch = new Option<int>("--batch-size") { Description = "Pairs (cross-encoder) or texts (embedding model) per forward pass.", DefaultValueFactory = _ => 32 };
        var c = new Command("score", "Write teacher scores (pos_scores / neg_scores) from a cross-encoder or an embedding model, for MarginMSE and distillation.");
        foreach (var o in new Option[] { input, output, teacher, batch }) c.Options.Add(o);
        c.SetAction((pr, cancellationToken) =>
        {
            string inputPath = InputFile.Require(pr.GetValue(input)!, "--input");
            string teacherPath = pr.GetValue(teacher)!;
            if (!RerankerArgument.IsOnnxFile(teacherPath)) teacherPath = ModelArgument.Resolve(teacherPath, "--teacher");
            int batchSize = pr.GetValue(batch);
            if (batchSize < 1) throw new ConfigurationException("--batch-size", $"must be at least 1, found {batchSize}.");
            var rows = TrainingDataReader.Read(inputPath).ToList();
            var crossEncoder = RerankerArgument.IsOnnxFile(teacherPath) || CrossEncoder.IsCrossEncoderFolder(teacherPath)
                ? RerankerArgument.Load(teacherPath, "--teacher") : null;
            using var session = crossEncoder as IDisposable;
            Func<IReadOnlyList<(string, string)>, float[]> scorer = crossEncoder is { } ce
                ? TeacherScores.From(ce, new CrossEncoderOptions { BatchSize = batchSize }, cancellationToken)
                : TeacherScores.From(SentenceEncoder.Load(teacherPath), new EncodeOptions { BatchSize = batchSize }, cancellationToken);
            TeacherScores.Score(rows, scorer, cancellationToken: cancellationToken);
            long written = TrainingDataWriter.WriteAll(pr.GetValue(output)!, rows, cancellationToken);
            Console.Error.WriteLine($"score: {written} rows scored by {teacherPath} → {pr.GetValue(output)}");
            return Task.FromResult(0);
        });
        return c;
    }
}
