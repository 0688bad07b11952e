using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Training;

/// <summary>
/// The model's own pooling and normalisation (<see cref="PoolingHead"/>, forward and backward) as the trainer's
/// <see cref="ITrainingPooling"/>. Prompt tokens are always pooled during training (include_prompt=false is not
/// honoured here).
/// </summary>
internal sealed class EncoderPooling(PoolingHead head) : ITrainingPooling
{
    /// <summary>The pooling of <paramref name="model"/>'s config.</summary>
    public static ITrainingPooling For(SentenceEncoder model) =>
        new EncoderPooling(new PoolingHead(model.Config.Pooling, model.Config.Normalize));

    /// <inheritdoc />
    public Matrix Forward(TokenBatch batch, float[] tokenEmbeddings)
    {
        int hidden = tokenEmbeddings.Length / batch.TotalTokens;
        return new Matrix(batch.Count, head.OutputDimensions(hidden), head.Forward(tokenEmbeddings, hidden, batch.Starts, default));
    }

    /// <inheritdoc />
    public float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient) =>
        head.Backward(tokenEmbeddings, tokenEmbeddings.Length / batch.TotalTokens, batch.Starts, default, sentenceGradient.Data);
}
