// Quick start: load a model, encode, score, search. Run from the repository root:
//   dotnet run --project examples/QuickStart [-- MODEL_DIR_OR_VECTORS_FILE]
// Without an argument it uses the GloVe vectors in ../shared/data (the one pretrained model on these machines);
// pass a sentence-transformers folder (e.g. a downloaded all-MiniLM-L6-v2 with model.safetensors) to use a transformer.
using MLNet.Embeddings;
using MLNet.Embeddings.Scoring;
using MLNet.Embeddings.Tensors;

string modelPath = args.Length > 0 ? args[0] : Path.Combine("..", "shared", "data", "glove", "glove.6B.100d.top50k.txt");
var model = SentenceEncoder.Load(modelPath);

string[] corpus =
{
    "Apple's revenue rose thanks to strong iPhone sales.",
    "The storm brought heavy rain to the coast.",
    "Interest rates were raised by the central bank.",
};
float[][] docs = model.Encode(corpus, new EncodeOptions { Normalize = true });
float[] query = model.Encode("Which company sold more phones?", new EncodeOptions { Normalize = true, PromptName = null });

Console.WriteLine($"{model.Config.ModelId}: {model.Dimensions} dimensions");
foreach (var hit in SemanticSearch.TopK(query, Matrix.FromRows(docs), k: 2))
    Console.WriteLine($"{hit.Score:F3}  {corpus[hit.Index]}");
Console.WriteLine($"cos(doc0, doc1) = {VectorSimilarity.Cosine(docs[0], docs[1]):F3}");
