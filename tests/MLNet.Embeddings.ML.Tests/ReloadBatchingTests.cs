using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>EmbeddingModel.Load replaces the stock per-row mapping of a reloaded chain with a batched stage.</summary>
public sealed class ReloadBatchingTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public string Other { get; set; } = "";
        public float Id { get; set; }
    }

    public sealed class Prediction
    {
        [ColumnName("Emb")] public float[] Emb { get; set; } = [];
        [ColumnName("Emb2")] public float[] Emb2 { get; set; } = [];
    }

    static readonly string[] Words = ["the", "cat", "sat", "on", "a", "mat", "stock", "prices", "rose", "bank", "rain", "dog"];

    static Row[] Rows(int n) => Enumerable.Range(0, n).Select(i => new Row
    {
        Text = string.Join(' ', Enumerable.Range(0, 1 + i % 9).Select(j => Words[(i * 7 + j * 3) % Words.Length])),
        Other = i % 5 == 0 ? "" : Words[i % Words.Length] + " " + i,
        Id = i,
    }).ToArray();

    /// <summary>A two-column stage with its own prompt, so its model state is this test's alone (the counter is per state).</summary>
    static (string zip, IDataView data) Saved(int rows, int window)
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(rows));
        var t = ml.Transforms.ApplyEmbedding([new InputOutputColumnPair("Emb", "Text"), new InputOutputColumnPair("Emb2", "Other")], TestData.TinyBert,
            new ApplyEmbeddingOptions { WindowSize = window, BatchSize = 8, Prompt = "q" + Guid.NewGuid().ToString("N") + ": " }).Fit(data);
        string zip = Path.Combine(TestData.TempDir(), "reload.zip");
        ml.Model.Save(t, data.Schema, zip);
        return (zip, data);
    }

    static BatchedEmbedStage[] Stages(ITransformer t) => ((IEnumerable<ITransformer>)t).OfType<BatchedEmbedStage>().ToArray();

    [Fact]
    public void BatchedReloadEqualsStockReloadBitForBitWithOneModelRunPerWindow()
    {
        const int rows = 100, window = 16;
        var (zip, data) = Saved(rows, window);
        var stock = new MLContext().Model.Load(zip, out _);
        var batched = EmbeddingModel.Load(new MLContext(), zip, out _);
        var stages = Stages(batched);
        Assert.Equal(2, stages.Length); // one per embedded column
        Assert.Equal(stages[0].Dimensions, ((VectorDataViewType)batched.GetOutputSchema(data.Schema)["Emb"].Type).Size);

        var fast = RawColumn.Bits(batched.Transform(data), "Emb", "Emb2");
        var state = stages[0].LastState!;
        Assert.Same(state, stages[1].LastState);
        var counter = StateCounter.On(state);
        int before = counter.EncodeCalls;
        Assert.Equal(fast, RawColumn.Bits(batched.Transform(data), "Emb", "Emb2"));
        int batchedCalls = counter.EncodeCalls - before;
        before = counter.EncodeCalls;
        Assert.Equal(fast, RawColumn.Bits(stock.Transform(data), "Emb", "Emb2"));
        int stockCalls = counter.EncodeCalls - before;

        Assert.Equal(2 * rows, stockCalls); // the counter sees the stock mapping's one run per row and column
        Assert.InRange(batchedCalls, 1, 2 * (int)Math.Ceiling(rows / (double)window)); // one run per window and column
        Assert.Equal(Enumerable.Range(0, rows).Select(i => (float)i), batched.Transform(data).GetColumn<float>("Id")); // pass-through
        Assert.DoesNotContain(batched.Transform(data).Schema, c => !c.IsHidden && c.Name.StartsWith(Mapping.MappingColumns.Prefix, StringComparison.Ordinal));
    }

    [Fact]
    public void PredictionEngineSaveAndEmptyInputWorkOnTheBatchedReload()
    {
        var (zip, data) = Saved(20, 8);
        var ml = new MLContext();
        var batched = EmbeddingModel.Load(ml, zip, out var schema);
        var expected = batched.Transform(data);
        var emb = expected.GetColumn<float[]>("Emb").ToArray();
        var emb2 = expected.GetColumn<float[]>("Emb2").ToArray();

        var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(batched);
        var rows = Rows(20);
        foreach (int i in new[] { 0, 5, 19 })
        {
            var p = engine.Predict(rows[i]);
            Assert.Equal(emb[i], p.Emb);
            Assert.Equal(emb2[i], p.Emb2);
        }

        // saved again: stock stages only, so plain ml.Model.Load reads it and gives the same vectors
        string again = Path.Combine(TestData.TempDir(), "again.zip");
        ml.Model.Save(batched, schema, again);
        var reloaded = new MLContext().Model.Load(again, out _);
        Assert.Equal(RawColumn.Bits(expected, "Emb", "Emb2"), RawColumn.Bits(reloaded.Transform(data), "Emb", "Emb2"));
        Assert.Equal(RawColumn.Bits(expected, "Emb", "Emb2"), RawColumn.Bits(EmbeddingModel.Load(new MLContext(), again, out _).Transform(data), "Emb", "Emb2"));

        var empty = ml.Data.LoadFromEnumerable(Array.Empty<Row>());
        Assert.Empty(batched.Transform(empty).GetColumn<float[]>("Emb"));
    }
}
