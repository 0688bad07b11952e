using MLNet.Embeddings.Backbones.Bert;
using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training.Tests.Training;

/// <summary>
/// Discriminative learning rates and freezing on the tiny BERT (2 layers): after one AdamW step (no weight decay) each
/// element moves by lr_group · |g| / (|g| + ε), so the largest move of every weight is its group's rate; frozen
/// weights stay bit-identical.
/// </summary>
public class DiscriminativeRateTests
{
    static readonly List<TrainingExample> Rows =
    [
        new() { Query = "a man plays guitar", Pos = ["a person makes music"] },
        new() { Query = "two dogs run", Pos = ["animals are outside"] },
        new() { Query = "the sun is hot", Pos = ["summer weather"] },
        new() { Query = "she reads a book", Pos = ["a woman is reading"] },
    ];

    /// <summary>One step; returns, per parameter name, the largest |Δw| and whether any element changed at all.</summary>
    static Dictionary<string, (double MaxMove, bool Changed, double MaxGrad)> Step(Action<TrainerOptions> configure)
    {
        var model = BertTrainingTests.TinyBert();
        var ps = ((BertBackbone)model.Backbone).Parameters;
        var before = ps.ToDictionary(p => p.Name, p => p.Value.ToArray());
        var o = new TrainerOptions { MaxSteps = 1, BatchSize = 4, LearningRate = 1e-3f, WeightDecay = 0, Shuffle = false, Dropout = 0,
            WarmupRatio = 0, Schedule = LearningRateSchedule.Constant };
        configure(o);
        new SentenceEncoderTrainer(model, new MultipleNegativesRankingLoss(), o).Fit(Rows);
        return ps.ToDictionary(p => p.Name, p =>
        {
            var b = before[p.Name];
            double max = 0; bool changed = false;
            for (int i = 0; i < b.Length; i++)
            {
                max = Math.Max(max, Math.Abs(p.Value[i] - b[i]));
                changed |= BitConverter.SingleToInt32Bits(p.Value[i]) != BitConverter.SingleToInt32Bits(b[i]);
            }
            return (max, changed, p.HasGrad ? p.Grad.Max(Math.Abs) : 0.0);
        });
    }

    static void AssertRate(KeyValuePair<string, (double MaxMove, bool Changed, double MaxGrad)> p, double rate)
    {
        if (p.Value.MaxGrad < 1e-5) return; // a weight with no real gradient (e.g. unused positions) proves nothing
        Assert.True(Math.Abs(p.Value.MaxMove / rate - 1) < 0.01, $"{p.Key}: largest step {p.Value.MaxMove:g4}, expected its group's rate {rate:g4}");
    }

    [Fact]
    public void LayerDecayScalesEachLayerAndTheEmbeddingsBelowThem()
    {
        var moves = Step(o => o.LayerDecay = 0.5f);
        int checkedCount = 0;
        foreach (var p in moves)
        {
            double rate = p.Key.StartsWith("embeddings.") ? 1e-3 * 0.25
                : p.Key.StartsWith("encoder.layer.0.") ? 1e-3 * 0.5
                : 1e-3; // encoder.layer.1 (top) and the pooler
            AssertRate(p, rate);
            if (p.Value.MaxGrad >= 1e-5) checkedCount++;
        }
        Assert.True(checkedCount > 20, $"only {checkedCount} weights had a gradient");
        Assert.Contains(moves, p => p.Key.StartsWith("embeddings.") && p.Value.MaxGrad >= 1e-5);
        Assert.Contains(moves, p => p.Key.StartsWith("encoder.layer.0.") && p.Value.MaxGrad >= 1e-5);
    }

    [Fact]
    public void FrozenLowestLayerIsBitIdenticalAndEmbeddingRateApplies()
    {
        var moves = Step(o => { o.FreezeLayers = 1; o.EmbeddingLearningRate = 1e-5f; });
        foreach (var p in moves)
        {
            if (p.Key.StartsWith("encoder.layer.0.")) Assert.False(p.Value.Changed, $"{p.Key} moved although frozen");
            else if (p.Key.StartsWith("embeddings.")) AssertRate(p, 1e-5);
            else AssertRate(p, 1e-3);
        }
        Assert.Contains(moves, p => p.Key.StartsWith("encoder.layer.1.") && p.Value.Changed);
    }

    [Fact]
    public void FrozenEmbeddingsAreBitIdentical()
    {
        var moves = Step(o => o.FreezeEmbeddings = true);
        foreach (var p in moves)
            if (p.Key.StartsWith("embeddings.")) Assert.False(p.Value.Changed, $"{p.Key} moved although frozen");
            else AssertRate(p, 1e-3);
        Assert.Contains(moves, p => p.Key.StartsWith("encoder.layer.0.") && p.Value.Changed);
    }

    [Fact]
    public void BadSettingsNameTheOption()
    {
        Assert.Equal("LayerDecay", Assert.Throws<ConfigurationException>(() => new TrainerOptions { LayerDecay = 1.5f }.Validate()).Setting);
        Assert.Equal("FreezeLayers", Assert.Throws<ConfigurationException>(() => new TrainerOptions { FreezeLayers = -1 }.Validate()).Setting);
        Assert.Equal("EmbeddingLearningRate", Assert.Throws<ConfigurationException>(() => new TrainerOptions { EmbeddingLearningRate = 0 }.Validate()).Setting);
        var e = Assert.Throws<ConfigurationException>(() => Step(o => o.FreezeLayers = 3));
        Assert.Equal("FreezeLayers", e.Setting);
        Assert.Contains("2 layers", e.Message);
    }

    [Fact]
    public void ParameterNamesGroupAcrossFamilies()
    {
        Assert.Equal(3, ParameterGroups.Layer("encoder.layer.3.attention.self.query.weight"));
        Assert.Equal(11, ParameterGroups.Layer("layers.11.mlp.Wi.weight"));
        Assert.Equal(0, ParameterGroups.Layer("model.layers.0.self_attn.q_proj.weight"));
        Assert.Null(ParameterGroups.Layer("pooler.dense.weight"));
        Assert.True(ParameterGroups.IsEmbedding("embeddings.word_embeddings.weight"));
        Assert.True(ParameterGroups.IsEmbedding("model.embed_tokens.weight"));
        Assert.True(ParameterGroups.IsEmbedding("embeddings.tok_embeddings.weight"));
        Assert.False(ParameterGroups.IsEmbedding("encoder.layer.0.output.dense.weight"));
    }
}
