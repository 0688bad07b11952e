namespace MLNet.Embeddings.TorchSharp;
