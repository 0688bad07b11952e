using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML.Mapping;

/// <summary>The row function of the similarity stages and the savable estimator per function.</summary>
internal static class SimilarityMapping
{
    public static float Score(SimilarityFunction function, SimilarityInput row)
    {
        var a = Dense(row.First, out float[]? _);
        var b = Dense(row.Second, out float[]? _);
        if (a.Length != b.Length)
            throw new InvalidOperationException($"ScoreSimilarity: the two vectors have different lengths ({a.Length} and {b.Length}).");
        return VectorSimilarity.Score(function, a, b);
    }

    static ReadOnlySpan<float> Dense(in VBuffer<float> v, out float[]? copy)
    {
        copy = null;
        if (v.IsDense) return v.GetValues();
        copy = new float[v.Length];
        var values = v.GetValues();
        var indices = v.GetIndices();
        for (int i = 0; i < indices.Length; i++) copy[indices[i]] = values[i];
        return copy;
    }

    public static IEstimator<ITransformer> Estimator(MLContext ml, SimilarityFunction function) => function switch
    {
        SimilarityFunction.Cosine => ml.Transforms.CustomMapping(new CosineSimilarityFactory().GetMapping(), CosineSimilarityFactory.Contract),
        SimilarityFunction.Dot => ml.Transforms.CustomMapping(new DotSimilarityFactory().GetMapping(), DotSimilarityFactory.Contract),
        SimilarityFunction.Euclidean => ml.Transforms.CustomMapping(new EuclideanSimilarityFactory().GetMapping(), EuclideanSimilarityFactory.Contract),
        SimilarityFunction.Manhattan => ml.Transforms.CustomMapping(new ManhattanSimilarityFactory().GetMapping(), ManhattanSimilarityFactory.Contract),
        _ => throw new ArgumentOutOfRangeException(nameof(function)),
    };
}
