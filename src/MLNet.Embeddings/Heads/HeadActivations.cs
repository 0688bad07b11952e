using MLNet.Embeddings.Backbones;

namespace MLNet.Embeddings.Heads;

/// <summary>What <see cref="SequenceClassificationHead.ForwardTrain"/> keeps for <see cref="SequenceClassificationHead.Backward"/>.</summary>
public sealed class HeadActivations
{
    internal HeadActivations(TokenBatch batch, float[] first, float[] pooled, float[] dropped, float[] logits, ulong seed, float rate)
    {
        Batch = batch; First = first; Pooled = pooled; Dropped = dropped; Logits = logits; Seed = seed; Rate = rate;
    }

    /// <summary>The batch that was run.</summary>
    public TokenBatch Batch { get; }
    /// <summary>Logits [Count × NumLabels].</summary>
    public float[] Logits { get; }
    internal float[] First { get; }    // first-token rows after the input dropout (RoBERTa) [Count × H]
    internal float[] Pooled { get; }   // tanh(dense(first)) [Count × H]
    internal float[] Dropped { get; }  // pooled after dropout: the classifier's input [Count × H]
    internal ulong Seed { get; }
    internal float Rate { get; }
}
