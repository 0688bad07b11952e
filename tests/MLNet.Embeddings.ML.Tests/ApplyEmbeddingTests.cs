using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.ML;

namespace MLNet.Embeddings.ML.Tests;

public sealed class ApplyEmbeddingTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public string Label { get; set; } = "";
        public float Id { get; set; }
    }

    public sealed class Prediction
    {
        [ColumnName("Emb")] public float[] Emb { get; set; } = [];
    }

    static readonly string[] Texts =
    [
        "the cat sat on the mat", "a dog barked", "", "stock prices rose sharply today after the earnings report",
        "rain", "the quick brown fox jumps over the lazy dog", "interest rates", "the bank raised its dividend",
        "hello world", "a very long sentence about nothing in particular that goes on and on and on for a while",
        "cloud revenue grew", "the team won",
    ];

    static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(Texts.Select((t, i) => new Row { Text = t, Label = i % 2 == 0 ? "even" : "odd", Id = i }));

    [Theory]
    [InlineData("bert", 1)]
    [InlineData("bert", 5)]
    [InlineData("bert", 1024)]
    [InlineData("glove", 3)]
    public void VectorsEqualEncodeBitForBitAcrossWindowSizes(string model, int window)
    {
        string path = model == "bert" ? TestData.TinyBert : TestData.Glove;
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var t = ml.Transforms.ApplyEmbedding("Emb", "Text", path, new ApplyEmbeddingOptions { WindowSize = window, BatchSize = 4 }).Fit(data);
        var got = t.Transform(data).GetColumn<float[]>("Emb").ToArray();
        var expected = SentenceEncoder.Load(path).Encode(Texts, new EncodeOptions { BatchSize = 4 });
        Assert.Equal(Texts.Length, got.Length);
        for (int i = 0; i < got.Length; i++) Assert.Equal(expected[i], got[i]);
        var type = (VectorDataViewType)t.GetOutputSchema(data.Schema)["Emb"].Type;
        Assert.Equal(expected[0].Length, type.Size);
        // pass-through columns keep their values while the vectors come from a window read ahead
        Assert.Equal(Enumerable.Range(0, Texts.Length).Select(i => (float)i), t.Transform(data).GetColumn<float>("Id"));
    }

    [Fact]
    public void BertSavedPipelineReloadsBitForBitAndRowByRowEqualsBatched()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var t = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { Normalize = true }).Fit(data);
        var before = RawColumn.Bits(t.Transform(data), "Emb");
        string zip = Path.Combine(TestData.TempDir(), "bert.zip");
        ml.Model.Save(t, data.Schema, zip);
        var ml2 = new MLContext();
        var loaded = ml2.Model.Load(zip, out _);
        Assert.Equal(before, RawColumn.Bits(loaded.Transform(data), "Emb"));
        Assert.Equal(before, RawColumn.Bits(loaded.Transform(data), "Emb")); // cached state, second pass
    }

    [Fact]
    public void FeedsSdcaMaximumEntropyAndPredictionEngine()
    {
        var ml = new MLContext(seed: 1);
        var data = Data(ml);
        var pipeline = ml.Transforms.ApplyEmbedding("Features", "Text", TestData.Glove)
            .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
            .Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(maximumNumberOfIterations: 5));
        var model = pipeline.Fit(data);
        var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
        Assert.InRange(metrics.MicroAccuracy, 0, 1);

        var embed = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.Glove).Fit(data);
        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(embed);
        var expected = SentenceEncoder.Load(TestData.Glove).Encode("the bank raised its dividend");
        Assert.Equal(expected, engine.Predict(new Row { Text = "the bank raised its dividend" }).Emb);

        string zip = Path.Combine(TestData.TempDir(), "sdca.zip");
        ml.Model.Save(model, data.Schema, zip);
        var loaded = new MLContext().Model.Load(zip, out _);
        Assert.Equal(RawColumn.Bits(model.Transform(data), "Score"), RawColumn.Bits(loaded.Transform(data), "Score"));
        var loadedEngine = ml.Model.CreatePredictionEngine<Row, Prediction>(new MLContext().Model.Load(SaveEmbed(ml, embed, data), out _));
        Assert.Equal(expected, loadedEngine.Predict(new Row { Text = "the bank raised its dividend" }).Emb);
    }

    static string SaveEmbed(MLContext ml, ITransformer t, IDataView data)
    {
        string zip = Path.Combine(TestData.TempDir(), "embed.zip");
        ml.Model.Save(t, data.Schema, zip);
        return zip;
    }

    [Fact]
    public void MatryoshkaSizeIsTheColumnSizeAndUnsavableSizesSayWhy()
    {
        var ml = new MLContext();
        var data = Data(ml);
        var t = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.Glove, new ApplyEmbeddingOptions { Dimensions = 64 }).Fit(data);
        Assert.Equal(64, ((VectorDataViewType)t.Transform(data).Schema["Emb"].Type).Size);
        var odd = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.Glove, new ApplyEmbeddingOptions { Dimensions = 37 }).Fit(data);
        Assert.Equal(37, odd.Transform(data).GetColumn<float[]>("Emb").First().Length);
        var ex = Assert.Throws<ConfigurationException>(() => ml.Model.Save(odd, data.Schema, Path.Combine(TestData.TempDir(), "x.zip")));
        Assert.Contains("37", ex.Message);
        Assert.Contains("384", ex.Message);
    }

    [Fact]
    public void TransformIsLazyAndEmbedsOneWindowAhead()
    {
        var ml = new MLContext();
        var data = Data(ml);
        var counting = new CountingDataView(data);
        var view = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { WindowSize = 4 }).Fit(data).Transform(counting);
        Assert.Equal(0, counting.RowsRead); // Transform embeds nothing
        var col = view.Schema["Emb"];
        using var cursor = view.GetRowCursor(new[] { col });
        var get = cursor.GetGetter<VBuffer<float>>(col);
        VBuffer<float> v = default;
        Assert.True(cursor.MoveNext());
        get(ref v);
        long afterFirst = counting.RowsRead; // the main cursor's row + the look-ahead cursor's first window
        Assert.InRange(afterFirst, 1 + 4, 1 + 4 + 1);
        for (int i = 1; i < 4; i++) { Assert.True(cursor.MoveNext()); get(ref v); }
        Assert.Equal(afterFirst + 3, counting.RowsRead); // the rest of the window is served without reading ahead
        Assert.True(cursor.MoveNext()); get(ref v);
        Assert.InRange(counting.RowsRead, afterFirst + 4 + 3, afterFirst + 4 + 4 + 1); // the next window, read as one
    }

    [Fact]
    public void CursorSetsAndConcurrentCursorsGiveTheSameVectors()
    {
        var ml = new MLContext();
        var data = Data(ml);
        var view = ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { WindowSize = 4 }).Fit(data).Transform(data);
        var expected = RawColumn.Bits(view, "Emb");
        var results = new int[4][];
        Parallel.For(0, 4, i => results[i] = RawColumn.Bits(view, "Emb"));
        foreach (var r in results) Assert.Equal(expected, r);
        var set = view.GetRowCursorSet(new[] { view.Schema["Emb"] }, 4);
        Assert.NotEmpty(set);
        foreach (var c in set) c.Dispose();
        // the reloaded (stock CustomMapping) pipeline: ML.NET may split a cursor set over threads; every row keeps its vector
        string zip = Path.Combine(TestData.TempDir(), "set.zip");
        ml.Model.Save(ml.Transforms.ApplyEmbedding("Emb", "Text", TestData.TinyBert).Fit(data), data.Schema, zip);
        var reloaded = new MLContext().Model.Load(zip, out _).Transform(data);
        var byRow = new System.Collections.Concurrent.ConcurrentDictionary<ulong, int[]>();
        var cursors = reloaded.GetRowCursorSet(new[] { reloaded.Schema["Emb"] }, 4);
        Parallel.ForEach(cursors, c =>
        {
            using (c)
            {
                var id = c.GetIdGetter();
                var get = c.GetGetter<VBuffer<float>>(c.Schema["Emb"]);
                VBuffer<float> v = default; DataViewRowId rid = default;
                while (c.MoveNext())
                {
                    id(ref rid); get(ref v);
                    Assert.True(byRow.TryAdd(rid.Low, v.DenseValues().Select(BitConverter.SingleToInt32Bits).ToArray()));
                }
            }
        });
        Assert.Equal(expected, byRow.OrderBy(p => p.Key).SelectMany(p => p.Value).ToArray());
    }
}
