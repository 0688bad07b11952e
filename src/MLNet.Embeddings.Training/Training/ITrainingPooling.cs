using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>
/// Pooling (and normalisation, where the model has it) as training needs it: token embeddings → one vector per
/// sequence, and the way back. Stateless: <see cref="Backward(TokenBatch, float[], Matrix)"/> receives the same inputs as <see cref="Forward(TokenBatch, float[])"/>.
/// </summary>
public interface ITrainingPooling
{
    /// <summary>Sentence vectors [batch.Count × dim] from token embeddings [batch.TotalTokens × hidden].</summary>
    Matrix Forward(TokenBatch batch, float[] tokenEmbeddings);
    /// <summary>dLoss/dTokenEmbeddings [batch.TotalTokens × hidden] from dLoss/dSentenceVectors.</summary>
    float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient);

    /// <summary>
    /// <see cref="Forward(TokenBatch, float[])"/> leaving out the first <paramref name="skip"/>[s] tokens of sequence s
    /// (prompt tokens when the model has include_prompt=false). The default ignores <paramref name="skip"/>.
    /// </summary>
    Matrix Forward(TokenBatch batch, float[] tokenEmbeddings, ReadOnlySpan<int> skip) => Forward(batch, tokenEmbeddings);

    /// <summary><see cref="Backward(TokenBatch, float[], Matrix)"/> with the same <paramref name="skip"/> as the forward pass. The default ignores it.</summary>
    float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient, ReadOnlySpan<int> skip) => Backward(batch, tokenEmbeddings, sentenceGradient);
}
