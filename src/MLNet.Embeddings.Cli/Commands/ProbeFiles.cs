using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Monitoring;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>Reads <c>train --probe</c> (one text per line) and <c>train --probe-pairs</c> (JSONL pairs with a 0/1 label).</summary>
internal static class ProbeFiles
{
    /// <summary>The non-blank lines of a text file; at least two.</summary>
    public static List<string> Texts(string path)
    {
        var texts = File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).ToList();
        if (texts.Count < 2) throw new DatasetFormatException(path, 0, null, $"a probe set needs at least 2 texts (one per line), found {texts.Count}.");
        return texts;
    }

    /// <summary>Pairs from JSONL rows <c>{"sentence1", "sentence2", "label"}</c> (or anchor/positive/label), label 0 or 1.</summary>
    public static List<ProbePair> Pairs(string path)
    {
        var pairs = new List<ProbePair>();
        foreach (var r in TrainingDataReader.Read(path))
        {
            if (r.Pos.Count == 0 || r.Label is not (0 or 1))
                throw new DatasetFormatException(path, r.Line, r.Pos.Count == 0 ? "sentence2" : "label", "a probe pair needs two texts and a 0/1 label.");
            pairs.Add(new ProbePair(r.Query, r.Pos[0], r.Label == 1));
        }
        if (pairs.Count == 0) throw new DatasetFormatException(path, 0, null, "no probe pairs.");
        return pairs;
    }
}
