using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// The model's own pooling and normalisation (<see cref="PoolingHead"/>, forward and backward) as the trainer's
/// <see cref="ITrainingPooling"/>. With a skip per sequence (the trainer passes <see cref="SentenceEncoder.PoolingSkip"/>
/// of the row's prompt), prompt tokens are left out as <see cref="SentenceEncoder.Encode(IReadOnlyList{string}, EncodeOptions?, CancellationToken)"/>
/// does for include_prompt=false.
/// </summary>
internal sealed class EncoderPooling(PoolingHead head) : ITrainingPooling
{
    /// <summary>The pooling of <paramref name="model"/>'s config, with its Dense modules (their weights stay frozen: only gradients pass through).</summary>
    public static ITrainingPooling For(SentenceEncoder model) =>
        new EncoderPooling(new PoolingHead(model.Config.Pooling, model.Config.Normalize, dense: model.Config.Dense));

    /// <inheritdoc />
    public Matrix Forward(TokenBatch batch, float[] tokenEmbeddings) => Forward(batch, tokenEmbeddings, default);

    /// <inheritdoc />
    public float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient) => Backward(batch, tokenEmbeddings, sentenceGradient, default);

    /// <inheritdoc />
    public Matrix Forward(TokenBatch batch, float[] tokenEmbeddings, ReadOnlySpan<int> skip)
    {
        int hidden = tokenEmbeddings.Length / batch.TotalTokens;
        return new Matrix(batch.Count, head.OutputDimensions(hidden), head.Forward(tokenEmbeddings, hidden, batch.Starts, skip));
    }

    /// <inheritdoc />
    public float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient, ReadOnlySpan<int> skip) =>
        head.Backward(tokenEmbeddings, tokenEmbeddings.Length / batch.TotalTokens, batch.Starts, skip, sentenceGradient.Data);
}
