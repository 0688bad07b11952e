using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.ML.Tests;

[Collection("CurrentDirectory")] // changes the process directory, as SnippetTests does: never in parallel with it
public sealed class ErrorTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public float Number { get; set; }
        [VectorType(3)] public float[] Three { get; set; } = new float[3];
        [VectorType(4)] public float[] Four { get; set; } = new float[4];
    }

    static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(new[] { new Row { Text = "a b", Number = 1 }, new Row { Text = "c", Number = 2 } });

    [Fact]
    public void MissingColumnNamesItAndListsTheAvailableOnes()
    {
        var ml = new MLContext();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ApplyEmbedding("E", "Txt", TestData.Glove).Fit(Data(ml)));
        Assert.Contains("'Txt'", ex.Message);
        Assert.Contains("'Text'", ex.Message);
        Assert.Contains("'Number'", ex.Message);
        // schema propagation (EstimatorChain) says the same before anything is fitted
        var chain = ml.Transforms.CopyColumns("T2", "Text").Append(ml.Transforms.ApplyEmbedding("E", "Txt", TestData.Glove));
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => chain.Fit(Data(ml)));
        Assert.Contains("'Txt'", ex2.Message);
    }

    [Fact]
    public void WrongColumnTypeNamesColumnAndType()
    {
        var ml = new MLContext();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ApplyEmbedding("E", "Number", TestData.Glove).Fit(Data(ml)));
        Assert.Contains("'Number'", ex.Message);
        Assert.Contains("Single", ex.Message);
        var ex2 = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScoreSimilarity("S", "Text", "Four").Fit(Data(ml)));
        Assert.Contains("'Text'", ex2.Message);
    }

    [Fact]
    public void SimilaritySizeMismatchNamesBothColumns()
    {
        var ml = new MLContext();
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScoreSimilarity("S", "Three", "Four").Fit(Data(ml)));
        Assert.Contains("'Three' has 3", ex.Message);
        Assert.Contains("'Four' has 4", ex.Message);
    }

    [Fact]
    public void MissingOrCorruptModelFileNamesTheFile()
    {
        var ml = new MLContext();
        string missing = Path.Combine(TestData.TempDir(), "nope.txt");
        var ex = Assert.Throws<ModelFormatException>(() => ml.Transforms.ApplyEmbedding("E", "Text", missing).Fit(Data(ml)));
        Assert.Contains(missing, ex.Message);
        string corrupt = Path.Combine(TestData.TempDir(), "bad.txt");
        File.WriteAllText(corrupt, "word 0.1 zz 0.3\n");
        var ex2 = Assert.ThrowsAny<Exception>(() => ml.Transforms.ApplyEmbedding("E", "Text", corrupt).Fit(Data(ml)));
        Assert.Contains("bad.txt", ex2.Message);
    }

    [Fact]
    public void MissingOrCorruptZipOnLoad()
    {
        var ml = new MLContext();
        string dir = TestData.TempDir();
        var ex = Assert.Throws<FileNotFoundException>(() => ml.Model.Load(Path.Combine(dir, "none.zip"), out _));
        Assert.Contains("none.zip", ex.Message + ex.FileName);

        var data = Data(ml);
        string zip = Path.Combine(dir, "m.zip");
        ml.Model.Save(ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert).Fit(data), data.Schema, zip);
        // A truncated zip: ML.NET's own error.
        string truncated = Path.Combine(dir, "truncated.zip");
        File.WriteAllBytes(truncated, File.ReadAllBytes(zip)[..1000]);
        var ex2 = Assert.ThrowsAny<Exception>(() => new MLContext().Model.Load(truncated, out _));
        Assert.DoesNotContain("truncated.zip", ex2.Message); // what docs/ml.md says ml.Model.Load gives; EmbeddingModel.Load names it
        var ex3 = Assert.Throws<ModelFormatException>(() => EmbeddingModel.Load(new MLContext(), truncated, out _));
        Assert.Contains(truncated, ex3.Message);
        Assert.Contains("ML.NET cannot read", ex3.Message);
        var ex4 = Assert.Throws<ModelFormatException>(() => EmbeddingModel.Load(new MLContext(), Path.Combine(dir, "none.zip"), out _));
        Assert.Contains("none.zip", ex4.Message);
        var ok = EmbeddingModel.Load(new MLContext(), zip, out var schema);
        Assert.Equal(RawColumn.Bits(ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert).Fit(data).Transform(data), "E"), RawColumn.Bits(ok.Transform(data), "E"));
        Assert.NotNull(schema.GetColumnOrNull("Text"));
    }

    [Fact]
    public void DamagedEmbeddedModelInAZipIsNamedAtLoad()
    {
        var ml = new MLContext();
        var data = Data(ml);
        // a prompt of its own so that no other test has loaded this state (the checksum is checked on the first load of an id)
        var state = EmbeddingState.Load(TestData.TinyBert, new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") });
        var chars = state.SavedText().ToCharArray();
        int at = chars.Length - 100;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        string zip = Path.Combine(TestData.TempDir(), "damaged.zip");
        ml.Model.Save(SavedPipeline.Embedding(state, [new InputOutputColumnPair("E", "Text")], data.Schema, new string(chars)), data.Schema, zip);
        var ex = Assert.Throws<ModelFormatException>(() => EmbeddingModel.Load(new MLContext(), zip, out _));
        Assert.Contains(zip, ex.Message);
        Assert.Contains("corrupt", ex.Message);
        // plain ml.Model.Load reads the zip and fails at the first row, with our message but without the file name (ML.NET does not pass it on)
        var loaded = new MLContext().Model.Load(zip, out _);
        var ex2 = Assert.ThrowsAny<Exception>(() => loaded.Transform(data).GetColumn<float[]>("E").ToArray());
        Assert.Contains("corrupt", Flatten(ex2));
    }

    [Fact]
    public void DamagedModelStateIsCaughtByItsChecksum()
    {
        var ml = new MLContext();
        // a prompt of its own so that no other test has loaded this state (the checksum is checked on the first load of an id)
        var state = EmbeddingState.Load(TestData.TinyBert, new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") });
        string text = state.SavedText();
        var chars = text.ToCharArray();
        int at = chars.Length - 100;
        chars[at] = chars[at] == 'A' ? 'B' : 'A';
        var ex = Assert.Throws<InvalidDataException>(() => SavedState.Resolve(new string(chars).AsMemory()));
        Assert.Contains("corrupt", ex.Message);
        Assert.Equal(state.Dimensions, SavedState.Resolve(text.AsMemory()).Dimensions); // the intact text still loads
        var ex2 = Assert.Throws<InvalidOperationException>(() => SavedState.Resolve("not a state".AsMemory()));
        Assert.Contains("MLNET-EMBEDDINGS-STATE/1", ex2.Message);
    }

    static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);

    [Fact]
    public void ReferencedModelMissingOnLoadSaysWhereItLooked()
    {
        var ml = new MLContext();
        var data = Data(ml);
        string dir = TestData.TempDir();
        string modelDir = Path.Combine(dir, "model");
        SentenceEncoder.Load(TestData.TinyBert).Save(modelDir);
        string old = Environment.CurrentDirectory;
        try
        {
            Directory.SetCurrentDirectory(dir);
            var t = ml.Transforms.ApplyEmbedding("E", "Text", "model", new ApplyEmbeddingOptions { Storage = ModelStorage.Reference }).Fit(data);
            ml.Model.Save(t, data.Schema, "ref.zip");
            Assert.True(new FileInfo("ref.zip").Length < 20_000); // only the reference travels
            var expected = RawColumn.Bits(t.Transform(data), "E");
            Assert.Equal(expected, RawColumn.Bits(new MLContext().Model.Load("ref.zip", out _).Transform(data), "E"));
            // a different reference name, not on disk: the error lists the places tried
            var t2 = ml.Transforms.ApplyEmbedding("E", "Text", "model", new ApplyEmbeddingOptions { Storage = ModelStorage.Reference, Normalize = true }).Fit(data);
            ml.Model.Save(t2, data.Schema, "ref2.zip");
            Directory.Move("model", "moved");
            var loaded = new MLContext().Model.Load("ref2.zip", out _);
            var ex = Assert.ThrowsAny<Exception>(() => loaded.Transform(data).GetColumn<float[]>("E").ToArray());
            Assert.Contains("ModelStorage.Reference", Flatten(ex));
            Assert.Contains(Path.Combine(dir, "model"), Flatten(ex));
            SavedModelLocator.AddSearchDirectory(Path.Combine(dir, "elsewhere"));
            Directory.CreateDirectory(Path.Combine(dir, "elsewhere"));
            Directory.Move("moved", Path.Combine("elsewhere", "model"));
            Assert.NotEmpty(new MLContext().Model.Load("ref2.zip", out _).Transform(data).GetColumn<float[]>("E").ToArray());
        }
        finally { Directory.SetCurrentDirectory(old); }
    }

    [Fact]
    public void ReservedColumnNamesAreRefused()
    {
        var ml = new MLContext();
        var data = ml.Transforms.CopyColumns("__mlnetemb_text", "Text").Fit(Data(ml)).Transform(Data(ml));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ApplyEmbedding("E", "Text", TestData.Glove).Fit(data));
        Assert.Contains("__mlnetemb_", ex.Message);
    }
}
