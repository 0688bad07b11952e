using MLNet.Embeddings.Backbones;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training.Training;

/// <summary>
/// Pooling (and normalisation, where the model has it) as training needs it: token embeddings → one vector per
/// sequence, and the way back. Stateless: <see cref="Backward"/> receives the same inputs as <see cref="Forward"/>.
/// </summary>
public interface ITrainingPooling
{
    /// <summary>Sentence vectors [batch.Count × dim] from token embeddings [batch.TotalTokens × hidden].</summary>
    Matrix Forward(TokenBatch batch, float[] tokenEmbeddings);
    /// <summary>dLoss/dTokenEmbeddings [batch.TotalTokens × hidden] from dLoss/dSentenceVectors.</summary>
    float[] Backward(TokenBatch batch, float[] tokenEmbeddings, Matrix sentenceGradient);
}
