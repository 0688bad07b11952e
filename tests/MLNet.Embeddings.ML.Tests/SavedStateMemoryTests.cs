using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Embeddings.ML.Tests;

/// <summary>
/// The embedded model text is hundreds of MB for a real transformer (all-MiniLM-L6-v2: 125 M chars, 250 MB): these
/// tests pin that it is built once per model, in one allocation, and not kept alive by the row cache.
/// </summary>
public sealed class SavedStateMemoryTests
{
    public sealed class Row { public string Text { get; set; } = ""; }

    static IDataView Data(MLContext ml) => ml.Data.LoadFromEnumerable(new[] { new Row { Text = "a b" }, new Row { Text = "c" } });

    [Fact]
    public void SavesOfEveryTransformerOfAModelEncodeItOnce()
    {
        var ml = new MLContext();
        var data = Data(ml);
        // a prompt of its own: a model state no other test has built
        var estimator = ml.Transforms.ApplyEmbedding("E", "Text", TestData.TinyBert, new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") });
        var first = estimator.Fit(data);
        var second = estimator.Fit(data);
        Assert.Same(first.State, second.State);
        var counter = StateCounter.On(first.State); // fitting packs nothing: stages made during Fit would be cached, and the saves below would make none
        Assert.Equal(0, counter.SavedLookupBuilds);
        string dir = TestData.TempDir();
        ml.Model.Save(first, data.Schema, Path.Combine(dir, "a.zip"));
        ml.Model.Save(first, data.Schema, Path.Combine(dir, "b.zip"));
        ml.Model.Save(second, data.Schema, Path.Combine(dir, "c.zip"));
        Assert.Equal(1, counter.SavedLookupBuilds); // ML.NET's MapValue serialises the chunks when it is made: once per model, not per transformer or save
        Assert.Equal(0, counter.SavedTextBuilds); // embedded models are saved in chunks, never as one text
        var expected = first.Transform(data).GetColumn<float[]>("E").ToArray();
        foreach (var zip in new[] { "a.zip", "b.zip", "c.zip" })
        {
            var loaded = EmbeddingModel.Load(new MLContext(), Path.Combine(dir, zip), out _);
            Assert.Equal(expected, loaded.Transform(data).GetColumn<float[]>("E").ToArray()); // bit for bit
        }
    }

    [Fact]
    public void EncodingARealModelAllocatesLittleMoreThanItsText()
    {
        var state = EmbeddingState.Load(TestData.MiniLm, new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") });
        long before = GC.GetAllocatedBytesForCurrentThread(); // this thread only: other tests run in parallel
        string text = state.SavedText();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long textBytes = 2L * text.Length; // UTF-16
        Assert.True(text.Length > 100_000_000, $"the packed MiniLM is {text.Length:N0} chars");
        // the text itself plus buffers and the model's files; building it through a byte[] and concatenated strings cost 4.5x
        Assert.True(allocated < 1.25 * textBytes, $"building a {textBytes / 1e6:F0} MB state text allocated {allocated / 1e6:F0} MB");
        Assert.Equal(state.Dimensions, SavedState.Resolve(text.AsMemory()).Dimensions); // and it loads
    }

    [Fact]
    public void TheRowCacheDoesNotKeepAStateTextAlive()
    {
        var state = EmbeddingState.Load(TestData.TinyBert, new ApplyEmbeddingOptions { Prompt = Guid.NewGuid().ToString("N") });
        var weak = ResolveACopy(state);
        for (int i = 0; i < 3 && weak.IsAlive; i++) { GC.Collect(); GC.WaitForPendingFinalizers(); }
        Assert.False(weak.IsAlive, "SavedState.Resolve kept the state text alive after its last user dropped it");
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    static WeakReference ResolveACopy(EmbeddingState state)
    {
        string copy = new(state.SavedText().AsSpan()); // as ML.NET hands it to the rows: a string of its own
        Assert.Equal(state.Dimensions, SavedState.Resolve(copy.AsMemory()).Dimensions);
        Assert.Same(SavedState.Resolve(copy.AsMemory()), SavedState.Resolve(copy.AsMemory())); // cached per text
        return new WeakReference(copy);
    }
}
