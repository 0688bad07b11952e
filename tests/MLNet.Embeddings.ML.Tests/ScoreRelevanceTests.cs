using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.CrossEncoders;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>ScoreRelevance: a cross-encoder's scores as a Single column, lazy and windowed, saved and reloaded with the pipeline.</summary>
public sealed class ScoreRelevanceTests
{
    public sealed class Row
    {
        public string Query { get; set; } = "";
        public string Doc { get; set; } = "";
        public float Id { get; set; }
    }

    public sealed class Prediction
    {
        [ColumnName("Score")] public float Score { get; set; }
    }

    static readonly string[] Words = ["the", "cat", "sat", "on", "a", "mat", "stock", "prices", "rose", "bank", "rain", "dog", "revenue", "grew"];

    static Row[] Rows(int n) => Enumerable.Range(0, n).Select(i => new Row
    {
        Query = string.Join(' ', Enumerable.Range(0, 1 + i % 4).Select(j => Words[(i * 5 + j) % Words.Length])),
        Doc = i % 7 == 3 ? "" : string.Join(' ', Enumerable.Range(0, 1 + (i * 3) % 40).Select(j => Words[(i + j * 7) % Words.Length])),
        Id = i,
    }).ToArray();

    /// <summary>A random one-label cross-encoder on the tiny BERT fixture (pooler from the checkpoint, new classifier), saved as a folder.</summary>
    static readonly Lazy<string> Model = new(() =>
    {
        string folder = Path.Combine(TestData.TempDir(), "tiny-cross-encoder");
        CrossEncoder.FromEncoder(TestData.TinyBert, numLabels: 1, seed: 11).Save(folder);
        return folder;
    });

    static (string, string)[] Pairs(Row[] rows) => rows.Select(r => (r.Query, r.Doc)).ToArray();

    static int[] Bits(IEnumerable<float> values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();

    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1024)]
    public void ScoresEqualCrossEncoderPredictAcrossWindowSizes(int window)
    {
        var rows = Rows(23);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, new ScoreRelevanceOptions { WindowSize = window, BatchSize = 4 }).Fit(data);
        var got = t.Transform(data).GetColumn<float>("Score").ToArray();
        var expected = CrossEncoder.Load(Model.Value).Predict(Pairs(rows), new CrossEncoderOptions { BatchSize = 4 });
        Assert.Equal(rows.Length, got.Length);
        Assert.Equal(Bits(expected), Bits(got));
        Assert.True(expected.Distinct().Count() > rows.Length / 2, "the random head should give distinct scores"); // the comparison means something
        Assert.All(got, s => Assert.InRange(s, 0f, 1f)); // sigmoid of one label, the model's default
        Assert.Equal(NumberDataViewType.Single, t.GetOutputSchema(data.Schema)["Score"].Type);
        Assert.Equal(Enumerable.Range(0, rows.Length).Select(i => (float)i), t.Transform(data).GetColumn<float>("Id")); // pass-through
    }

    [Fact]
    public void OptionsReachThePredictCall()
    {
        var rows = Rows(12);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var options = new ScoreRelevanceOptions { Activation = CrossEncoderActivation.Identity, MaxLength = 8 };
        var got = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, options).Fit(data).Transform(data).GetColumn<float>("Score").ToArray();
        var expected = CrossEncoder.Load(Model.Value).Predict(Pairs(rows), new CrossEncoderOptions { Activation = CrossEncoderActivation.Identity, MaxLength = 8 });
        Assert.Equal(Bits(expected), Bits(got));
        var sigmoid = CrossEncoder.Load(Model.Value).Predict(Pairs(rows));
        Assert.NotEqual(Bits(sigmoid), Bits(got)); // the options changed the scores
    }

    [Fact]
    public void TransformIsLazyAndRunsTheModelOncePerWindow()
    {
        const int rows = 10, window = 4;
        var ml = new MLContext(seed: 1);
        var counting = new CountingDataView(ml.Data.LoadFromEnumerable(Rows(rows)));
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, new ScoreRelevanceOptions { WindowSize = window, BatchSize = 3 }).Fit(counting);
        var counter = StateCounter.On(t.State);
        var output = t.Transform(counting);
        Assert.Equal(0, counting.RowsRead); // Transform reads nothing
        Assert.Equal(0, counter.EncodeCalls);
        using (var cursor = output.GetRowCursor([output.Schema["Score"]]))
        {
            var get = cursor.GetGetter<float>(output.Schema["Score"]);
            float s = 0;
            Assert.True(cursor.MoveNext());
            get(ref s);
            long afterFirst = counting.RowsRead; // the main cursor's row + the look-ahead cursor's first window
            Assert.Equal(1 + window, afterFirst);
            for (int i = 1; i < window; i++) { Assert.True(cursor.MoveNext()); get(ref s); }
            Assert.Equal(afterFirst + window - 1, counting.RowsRead); // the rest of the window is served without reading ahead
            Assert.Equal(1, counter.EncodeCalls);
            while (cursor.MoveNext()) get(ref s);
        }
        Assert.Equal((rows + window - 1) / window, counter.EncodeCalls); // one Predict per window, never one per row
        int calls = counter.EncodeCalls;
        Assert.Equal(rows, output.GetColumn<float>("Id").Count()); // scores not asked for: the model does not run
        Assert.Equal(calls, counter.EncodeCalls);
    }

    [Fact]
    public void SavedPipelineReloadsBitForBitWithMlNetAndEmbeddingModelLoad()
    {
        const int rows = 30, window = 8;
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(rows));
        // an embedding stage and a relevance stage in one zip: both kinds of model state are carried and resolved
        var pipeline = ml.Transforms.ApplyEmbedding("E", "Query", TestData.TinyBert)
            .Append(ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, new ScoreRelevanceOptions { WindowSize = window, BatchSize = 4 }));
        var t = pipeline.Fit(data);
        var before = RawColumn.Bits(t.Transform(data), "Score", "E");
        string zip = Path.Combine(TestData.TempDir(), "relevance.zip");
        ml.Model.Save(t, data.Schema, zip);

        var ml2 = new MLContext();
        ml2.ComponentCatalog.RegisterAssembly(typeof(ScoreRelevanceOptions).Assembly);
        var stock = ml2.Model.Load(zip, out var schema);
        Assert.Equal(before, RawColumn.Bits(stock.Transform(data), "Score", "E"));
        Assert.NotNull(schema.GetColumnOrNull("Doc"));

        var batched = EmbeddingModel.Load(new MLContext(), zip, out _);
        var stage = Assert.Single(((IEnumerable<ITransformer>)batched).OfType<BatchedRelevanceStage>());
        Assert.Equal(before, RawColumn.Bits(batched.Transform(data), "Score", "E"));
        var counter = StateCounter.On(stage.LastState!);
        Assert.Equal(before[..rows], RawColumn.Bits(batched.Transform(data), "Score"));
        Assert.InRange(counter.EncodeCalls, 1, (rows + window - 1) / window); // batched again after load
        int batchedCalls = counter.EncodeCalls;
        Assert.Equal(before[..rows], RawColumn.Bits(stock.Transform(data), "Score"));
        Assert.Equal(rows, counter.EncodeCalls - batchedCalls); // the stock CustomMapping: one model call per row
        Assert.DoesNotContain(batched.Transform(data).Schema, c => !c.IsHidden && c.Name.StartsWith(Mapping.MappingColumns.Prefix, StringComparison.Ordinal));

        // PredictionEngine on the live and the reloaded pipeline
        var row = Rows(rows)[5];
        float live = ml.Model.CreatePredictionEngine<Row, Prediction>(t).Predict(row).Score;
        Assert.Equal(BitConverter.SingleToInt32Bits(t.Transform(data).GetColumn<float>("Score").ElementAt(5)), BitConverter.SingleToInt32Bits(live));
        Assert.Equal(live, ml2.Model.CreatePredictionEngine<Row, Prediction>(stock).Predict(row).Score);
        Assert.Equal(live, ml2.Model.CreatePredictionEngine<Row, Prediction>(batched).Predict(row).Score);
    }

    [Fact]
    public void SavedPipelineReloadsInAFreshProcessWithTheModelFolderGone()
    {
        var rows = Rows(9);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        string dir = TestData.TempDir(), model = Path.Combine(dir, "ce");
        CopyFolder(Model.Value, model);
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", model).Fit(data);
        var before = RawColumn.Bits(t.Transform(data), "Score");
        string zip = Path.Combine(dir, "fresh.zip"), tsv = Path.Combine(dir, "pairs.tsv");
        ml.Model.Save(t, data.Schema, zip);
        Directory.Delete(model, true); // the zip carries the model
        File.WriteAllLines(tsv, new[] { "Query\tDoc" }.Concat(rows.Select(r => r.Query + "\t" + r.Doc)));
        Assert.Equal(before, TestData.LoadInFreshProcess(zip, tsv, "Score"));
    }

    [Fact]
    public void ReferenceStorageKeepsAPathAndNamesItWhenTheFolderIsMissing()
    {
        var rows = Rows(9);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        string dir = TestData.TempDir(), model = Path.Combine(dir, "ce");
        CopyFolder(Model.Value, model);
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", model, new ScoreRelevanceOptions { Storage = ModelStorage.Reference }).Fit(data);
        var before = RawColumn.Bits(t.Transform(data), "Score");
        string zip = Path.Combine(dir, "ref.zip");
        ml.Model.Save(t, data.Schema, zip);
        long weights = new FileInfo(Path.Combine(model, "model.safetensors")).Length;
        Assert.True(new FileInfo(zip).Length < weights / 4, $"a referencing zip of {new FileInfo(zip).Length} bytes should not carry the {weights}-byte weights");
        Assert.Equal(before, RawColumn.Bits(EmbeddingModel.Load(new MLContext(), zip, out _).Transform(data), "Score"));

        // another stage's reference (other settings, so not loaded in this process yet), with the folder gone
        var t2 = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", model, new ScoreRelevanceOptions { Storage = ModelStorage.Reference, BatchSize = 5 }).Fit(data);
        string zip2 = Path.Combine(dir, "ref2.zip");
        ml.Model.Save(t2, data.Schema, zip2);
        Directory.Move(model, model + "-moved");
        var ex = Assert.Throws<ModelFormatException>(() => EmbeddingModel.Load(new MLContext(), zip2, out _));
        Assert.Contains(zip2, ex.Message);
        Assert.Contains(model, ex.Message);
        Assert.Contains("ModelStorage.Reference", ex.Message);
    }

    [Fact]
    public void CursorSetsAndConcurrentCursorsGiveTheSameScores()
    {
        var rows = Rows(40);
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(rows);
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, new ScoreRelevanceOptions { WindowSize = 6, BatchSize = 4 }).Fit(data);
        var output = t.Transform(data);
        var expected = Bits(output.GetColumn<float>("Score"));
        var set = output.GetRowCursorSet([output.Schema["Score"]], 4);
        Assert.Single(set); // one cursor: the model already uses every core on a batch
        set[0].Dispose();
        var concurrent = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(_ => Bits(output.GetColumn<float>("Score"))).ToArray();
        Assert.All(concurrent, c => Assert.Equal(expected, c));
    }

    [Fact]
    public void MissingOrNonTextColumnsFailWithClearErrors()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(3));
        var missing = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScoreRelevance("Score", "Question", "Doc", Model.Value).Fit(data));
        Assert.Contains("column 'Question' (query column) not found", missing.Message);
        Assert.Contains("'Query' (String)", missing.Message); // lists what there is
        var wrongType = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScoreRelevance("Score", "Query", "Id", Model.Value).Fit(data));
        Assert.Contains("column 'Id' (document column) must be text", wrongType.Message);
        var shape = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Transforms.ScoreRelevance("Score", "Query", "Id", Model.Value).GetOutputSchema(Shape(data.Schema)));
        Assert.Contains("column 'Id' (document column) must be text", shape.Message);

        // a fitted transformer checks the data it is given
        var t = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value).Fit(data);
        var other = ml.Data.LoadFromEnumerable(new[] { new { Query = "q" } });
        var late = Assert.Throws<ArgumentOutOfRangeException>(() => t.Transform(other));
        Assert.Contains("column 'Doc' (document column) not found", late.Message);
        Assert.Throws<ConfigurationException>(() => ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Model.Value, new ScoreRelevanceOptions { WindowSize = 0 }));
    }

    [Fact]
    public void EstimatorSchemaNeedsNoModel()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(3));
        var estimator = ml.Transforms.ScoreRelevance("Score", "Query", "Doc", Path.Combine(TestData.TempDir(), "not-there"));
        var shape = estimator.GetOutputSchema(Shape(data.Schema));
        var col = shape.Single(c => c.Name == "Score");
        Assert.Equal(NumberDataViewType.Single, col.ItemType);
        Assert.Equal(SchemaShape.Column.VectorKind.Scalar, col.Kind);
        var ex = Assert.Throws<ModelFormatException>(() => estimator.Fit(data)); // the model is read at Fit
        Assert.Contains("not-there", ex.Message);
    }

    /// <summary>ML.NET 6 keeps SchemaShape.Create internal; the test reaches it by reflection.</summary>
    static SchemaShape Shape(DataViewSchema schema) => (SchemaShape)typeof(SchemaShape)
        .GetMethod("Create", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic, [typeof(DataViewSchema)])!
        .Invoke(null, [schema])!;

    static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
    }
}
