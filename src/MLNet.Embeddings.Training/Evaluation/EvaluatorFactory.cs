using System.Text.Json;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Picks the evaluator a JSONL test file calls for, from the fields of its rows: <c>label</c> → pair classification;
/// <c>score</c> → scored pairs; <c>anchor</c>/<c>positive</c>/<c>negative</c> → triplets; otherwise (<c>query</c> +
/// <c>pos</c>, or <c>anchor</c> + <c>positive</c> without negatives) → retrieval.
/// </summary>
public static class EvaluatorFactory
{
    /// <summary>Reads <paramref name="path"/> and builds the matching evaluator.</summary>
    /// <param name="path">A JSONL file.</param>
    /// <param name="retrieval">Options for the retrieval evaluator (cut-offs, prompts); null for defaults.</param>
    public static IEmbeddingEvaluator FromFile(string path, InformationRetrievalEvaluatorOptions? retrieval = null)
    {
        var task = DetectTask(path);
        var rows = TrainingDataReader.Read(path).ToList();
        if (rows.Count == 0) throw new DatasetFormatException(path, 0, null, "expected at least one row, found an empty file.");
        return Create(task, rows, retrieval);
    }

    /// <summary>Builds the evaluator for <paramref name="task"/> over already read rows.</summary>
    public static IEmbeddingEvaluator Create(EvaluationTask task, IReadOnlyList<TrainingExample> rows, InformationRetrievalEvaluatorOptions? retrieval = null) => task switch
    {
        EvaluationTask.PairClassification => BinaryClassificationEvaluator.FromExamples(rows),
        EvaluationTask.ScoredPairs => EmbeddingSimilarityEvaluator.FromExamples(rows),
        EvaluationTask.Triplets => TripletEvaluator.FromExamples(rows),
        _ => InformationRetrievalEvaluator.FromExamples(rows, retrieval),
    };

    /// <summary>The task for rows already read (no field names): label → classification, score → scored pairs, else retrieval.</summary>
    public static EvaluationTask DetectTask(IReadOnlyList<TrainingExample> rows)
    {
        if (rows.Count > 0 && rows[0].Label is not null) return EvaluationTask.PairClassification;
        if (rows.Count > 0 && rows[0].Score is not null) return EvaluationTask.ScoredPairs;
        return EvaluationTask.Retrieval;
    }

    /// <summary>The task for a JSONL file, from the field names of its first row.</summary>
    public static EvaluationTask DetectTask(string path)
    {
        foreach (var row in JsonLinesReader.Read(path))
        {
            var names = row.Row.EnumerateObject().Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            if (names.Contains("label")) return EvaluationTask.PairClassification;
            if (names.Contains("score")) return EvaluationTask.ScoredPairs;
            if (names.Contains("anchor") && names.Contains("negative")) return EvaluationTask.Triplets;
            if ((names.Contains("query") && names.Contains("pos")) || (names.Contains("anchor") && names.Contains("positive")))
                return EvaluationTask.Retrieval;
            throw row.Error(null,
                $"cannot tell the evaluation task: expected query+pos, sentence1+sentence2+score, sentence1+sentence2+label or anchor+positive+negative; found fields {string.Join(", ", names)}.");
        }
        throw new DatasetFormatException(path, 0, null, "expected at least one row, found an empty file.");
    }
}
