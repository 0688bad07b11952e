using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Training;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// ML.NET's multiclass <c>TextClassifier</c>: fit on a key label → PredictedLabel + Score → evaluate → save → load →
/// the same scores; its errors; and FineTuneEmbedding's discriminative rates reaching the trainer.
/// </summary>
public sealed class TextClassifierTests
{
    public sealed class Row
    {
        public string Text { get; set; } = "";
        public string? Second { get; set; }
        public string Label { get; set; } = "";
    }

    /// <summary>Three classes, each with four marker words from the tiny BERT's vocabulary; texts are filler plus one marker.</summary>
    static Row[] Rows(int perClass, int seed, bool pairs = false)
    {
        string[] labels = ["animal", "food", "vehicle"];
        var words = File.ReadAllLines(Path.Combine(TestData.TinyBert, "vocab.txt")).Skip(5).Where(w => w.Length > 2 && w.All(char.IsAsciiLetterLower)).Distinct().Take(80).ToList();
        var fillers = words.Skip(12).ToList();
        var rng = new Random(seed);
        string Fill(int n) => string.Join(' ', Enumerable.Range(0, n).Select(_ => fillers[rng.Next(fillers.Count)]));
        var rows = new List<Row>();
        for (int i = 0; i < perClass; i++)
            for (int c = 0; c < labels.Length; c++)
            {
                string marked = Fill(2) + " " + words[c * 4 + rng.Next(4)] + " " + Fill(2);
                rows.Add(pairs ? new Row { Text = Fill(3), Second = marked, Label = labels[c] } : new Row { Text = marked, Label = labels[c] });
            }
        return rows.ToArray();
    }

    static TextClassifierOptions Options() => new()
    {
        ModelPath = TestData.TinyBert,
        Trainer = { Trainer = new TrainerOptions { Epochs = 40, BatchSize = 8, LearningRate = 3e-3f, Seed = 3 } },
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void FitPredictEvaluateSaveLoadGiveTheSameScores(bool pairs)
    {
        var ml = new MLContext(seed: 1);
        var train = ml.Data.LoadFromEnumerable(Rows(16, 1, pairs));
        var test = ml.Data.LoadFromEnumerable(Rows(6, 2, pairs));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.TextClassifier("Label", "Text", pairs ? "Second" : null, Options()))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedText", "PredictedLabel"));
        var model = pipeline.Fit(train);
        var scored = model.Transform(test);
        Assert.Equal(3, ((VectorDataViewType)scored.Schema["Score"].Type).Size);
        var metrics = ml.MulticlassClassification.Evaluate(scored);
        Assert.True(metrics.MicroAccuracy >= 0.9, $"accuracy {metrics.MicroAccuracy}");
        var scores = scored.GetColumn<float[]>("Score").ToArray();
        var predicted = scored.GetColumn<string>("PredictedText").ToArray();
        for (int i = 0; i < scores.Length; i++)
        {
            Assert.Equal(1.0, scores[i].Sum(), 4);
            Assert.Equal(new[] { "animal", "food", "vehicle" }[Array.IndexOf(scores[i], scores[i].Max())], predicted[i]);
        }

        string zip = Path.Combine(TestData.TempDir(), "classifier.zip");
        ml.Model.Save(model, train.Schema, zip);
        var ml2 = new MLContext();
        ml2.ComponentCatalog.RegisterAssembly(typeof(TextClassifierCatalog).Assembly);
        var loaded = ml2.Model.Load(zip, out var schema);
        var again = loaded.Transform(ml2.Data.LoadFromEnumerable(Rows(6, 2, pairs)));
        var scores2 = again.GetColumn<float[]>("Score").ToArray();
        for (int i = 0; i < scores.Length; i++) Assert.Equal(scores[i], scores2[i]);
        Assert.Equal(predicted, again.GetColumn<string>("PredictedText").ToArray());
        Assert.Equal(metrics.MicroAccuracy, ml2.MulticlassClassification.Evaluate(again).MicroAccuracy);
    }

    [Fact]
    public void ALabelThatIsNotAKeyOrHasOneClassSaysWhatToDo()
    {
        var ml = new MLContext(seed: 1);
        var data = ml.Data.LoadFromEnumerable(Rows(2, 1));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.TextClassifier("Label", "Text", options: Options()).Fit(data));
        Assert.Contains("MapValueToKey", ex.Message);
        var one = ml.Data.LoadFromEnumerable(Rows(2, 1).Select(r => new Row { Text = r.Text, Label = "same" }).ToArray());
        var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(one).Transform(one);
        var oneClass = Assert.Throws<ArgumentOutOfRangeException>(() => ml.MulticlassClassification.Trainers.TextClassifier("Label", "Text", options: Options()).Fit(keyed));
        Assert.Contains("at least two", oneClass.Message);
        var noModel = Assert.Throws<ConfigurationException>(() => ml.MulticlassClassification.Trainers.TextClassifier().Fit(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data)));
        Assert.Contains("ModelPath", noModel.Message);
    }

    [Fact]
    public void FineTuneEmbeddingAppliesTheDiscriminativeRates()
    {
        var ml = new MLContext(seed: 1);
        var rows = Rows(4, 3);
        var data = ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Text = r.Text, Second = r.Text + " " + r.Label, Label = r.Label }).ToArray());
        string output = Path.Combine(TestData.TempDir(), "tuned");
        ml.Transforms.FineTuneEmbedding(new FineTuneEmbeddingOptions
        {
            BaseModelPath = TestData.TinyBert, AnchorColumnName = "Text", PositiveColumnName = "Second", OutputModelPath = output,
            Trainer = { MaxSteps = 2, BatchSize = 6, LearningRate = 1e-3f, FreezeEmbeddings = true, FreezeLayers = 1 },
            Columns = [new InputOutputColumnPair("Features", "Text")], Context = ml,
        }).Fit(data);
        var before = SafeTensors.Read(Path.Combine(TestData.TinyBert, "model.safetensors"));
        var after = SafeTensors.Read(Directory.GetFiles(output, "model.safetensors", SearchOption.AllDirectories).Single());
        string Find(Dictionary<string, Tensors.Parameter> t, string suffix) => t.Keys.Single(k => k.EndsWith(suffix, StringComparison.Ordinal));
        foreach (var name in new[] { "embeddings.word_embeddings.weight", "encoder.layer.0.attention.self.query.weight" })
            Assert.Equal(before[Find(before, name)].Value, after[Find(after, name)].Value); // frozen: bit-identical
        string top = "encoder.layer.1.attention.self.query.weight";
        Assert.NotEqual(before[Find(before, top)].Value, after[Find(after, top)].Value);
    }
}
