namespace MLNet.Embeddings.ML;
