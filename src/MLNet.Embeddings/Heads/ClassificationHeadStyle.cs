namespace MLNet.Embeddings.Heads;

/// <summary>Which Hugging Face <c>*ForSequenceClassification</c> head a model carries; the math is the same, the names and dropout sites differ.</summary>
public enum ClassificationHeadStyle
{
    /// <summary>
    /// BERT: <c>pooler.dense</c> (tanh) on the first token, dropout, then <c>classifier</c>
    /// (BertForSequenceClassification; weights <c>bert.pooler.dense.*</c>, <c>classifier.*</c>).
    /// </summary>
    Bert,
    /// <summary>
    /// RoBERTa / XLM-R: dropout, <c>classifier.dense</c> (tanh) on the first token, dropout, then
    /// <c>classifier.out_proj</c> (RobertaClassificationHead).
    /// </summary>
    Roberta,
}
