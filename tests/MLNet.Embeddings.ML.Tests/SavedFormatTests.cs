using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Embeddings.Backbones.Bert;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// The chunked save format of embedded models: the memory of <c>ml.Model.Load</c>, bit-identical reloads, damaged
/// chunks, and zips in the one-text format (written before it) that must still load.
/// </summary>
public sealed class SavedFormatTests
{
    public sealed class Row { public string Text { get; set; } = ""; }

    static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(new[] { new Row { Text = "a b c" }, new Row { Text = "d" }, new Row { Text = "a d b" } });

    /// <summary>A random BERT (the tiny fixture's tokenizer, hidden 384, 4 layers): about 27 MB of weights that do not compress.</summary>
    static string RandomBert(string dir)
    {
        var tiny = SentenceEncoder.Load(TestData.TinyBert);
        var config = new BertConfig
        {
            VocabSize = 505, HiddenSize = 384, NumHiddenLayers = 4, NumAttentionHeads = 12, IntermediateSize = 1536,
            MaxPositionEmbeddings = 64, TypeVocabSize = 2,
        };
        string folder = Path.Combine(dir, "random-bert");
        new SentenceEncoder(tiny.Tokenizer, BertBackbone.Create(config, 7), tiny.Config).Save(folder);
        return folder;
    }

    [Fact]
    public void LoadingASavedModelPeaksBelowThreeTimesItsZipAndGivesTheSameBits()
    {
        var ml = new MLContext();
        var data = Data(ml);
        string dir = TestData.TempDir();
        var fitted = ml.Transforms.ApplyEmbedding("E", "Text", RandomBert(dir)).Fit(data);
        string big = Path.Combine(dir, "big.zip"), small = Path.Combine(dir, "small.zip");
        ml.Model.Save(fitted, data.Schema, big);
        ml.Model.Save(ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert).Fit(data), data.Schema, small);
        double zipMb = new FileInfo(big).Length / 1048576.0;
        Assert.True(zipMb > 20, $"the zip is {zipMb:F1} MB: too small to measure");

        // a fresh process: loads the small zip first (JIT, assemblies), then measures ml.Model.Load of the big one
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { typeof(Program).Assembly.Location, "mlmem", "carriers", "child", small, big }) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd(), error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, error);
        var parts = output.Trim().Split(' ');
        double peakMb = double.Parse(parts[0], CultureInfo.InvariantCulture), allocatedMb = double.Parse(parts[1], CultureInfo.InvariantCulture);
        // ML.NET keeps two copies of every chunk it loads, plus the fixed cost of the stages (docs/ml.md has the figures
        // for all-MiniLM-L6-v2); the one-text format peaked at about 24x
        Assert.True(peakMb <= 3 * zipMb, $"ml.Model.Load of a {zipMb:F1} MB zip peaked {peakMb:F0} MB above the process baseline ({peakMb / zipMb:F2}x; allocated {allocatedMb:F0} MB)");

        var expected = RawColumn.Bits(fitted.Transform(data), "E");
        Assert.Equal(expected, RawColumn.Bits(new MLContext().Model.Load(big, out _).Transform(data), "E"));
        Assert.Equal(expected, RawColumn.Bits(EmbeddingModel.Load(new MLContext(), big, out _).Transform(data), "E"));
    }

    [Fact]
    public void SavingAModelOfManyChunksCostsKilobytesPerStage()
    {
        var ml = new MLContext();
        var data = Data(ml);
        string dir = TestData.TempDir();
        var fitted = (EmbeddingTransformer)ml.Transforms.ApplyEmbedding("E", "Text", RandomBert(dir)).Fit(data);
        _ = fitted.State.SavedLookup(); // the 128 chunk lookups (ML.NET serialises each as it is made)
        long before = GC.GetAllocatedBytesForCurrentThread();
        var chain = (TransformerChain<ITransformer>)SavedPipeline.Embedding(fitted.State, fitted.Columns, data.Schema);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        int stages = chain.SelectMany(t => t is TransformerChain<ITransformer> inner ? inner : (IEnumerable<ITransformer>)[t]).Count();
        Assert.True(stages > 256, $"{stages} stages: the model was not saved in many chunks");
        // fitting the stages through one EstimatorChain propagated schema shapes at a cost cubic in their number (GBs here)
        Assert.True(allocated < 100_000_000, $"building the saved chain of {stages} stages allocated {allocated / 1e6:F0} MB");
    }

    [Fact]
    public void ZipsInTheOneTextFormatStillLoadBitForBit()
    {
        var ml = new MLContext();
        var data = Data(ml);
        // a prompt of its own: a state no other test has loaded, so this load really reads the one-text format
        var options = new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") };
        var fitted = ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert, options).Fit(data);
        var state = EmbeddingState.Load(TestData.TinyBert, options);
        string zip = Path.Combine(TestData.TempDir(), "one-text.zip");
        ml.Model.Save(SavedPipeline.Embedding(state, [new InputOutputColumnPair("E", "Text")], data.Schema, state.SavedText()), data.Schema, zip);
        var expected = RawColumn.Bits(fitted.Transform(data), "E");
        Assert.Equal(expected, RawColumn.Bits(new MLContext().Model.Load(zip, out _).Transform(data), "E"));
        Assert.Equal(expected, RawColumn.Bits(EmbeddingModel.Load(new MLContext(), zip, out _).Transform(data), "E"));
    }

    [Fact]
    public void ADamagedChunkIsCaughtByTheChecksum()
    {
        var ml = new MLContext();
        var data = Data(ml);
        var options = new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") };
        var state = EmbeddingState.Load(TestData.TinyBert, options);
        var damaged = ChunkedState.Stages(state, (i, bytes) => { if (i == 0) bytes[bytes.Length / 2] ^= 1; });
        string zip = Path.Combine(TestData.TempDir(), "damaged.zip");
        ml.Model.Save(SavedPipeline.Embedding(state, [new InputOutputColumnPair("E", "Text")], data.Schema, lookup: damaged), data.Schema, zip);
        var ex = Assert.Throws<ModelFormatException>(() => EmbeddingModel.Load(new MLContext(), zip, out _));
        Assert.Contains(zip, ex.Message);
        Assert.True(Flatten(ex).Contains("corrupt"), Flatten(ex));
        var loaded = new MLContext().Model.Load(zip, out _); // plain ml.Model.Load: the first row fails with the same message
        var ex2 = Assert.ThrowsAny<Exception>(() => loaded.Transform(data).GetColumn<float[]>("E").ToArray());
        Assert.Contains("corrupt", Flatten(ex2));
    }

    static string Flatten(Exception e) => e.InnerException is null ? e.Message : e.Message + " | " + Flatten(e.InnerException);
}
