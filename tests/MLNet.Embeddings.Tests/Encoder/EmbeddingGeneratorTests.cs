using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace MLNet.Embeddings.Tests.Encoder;

public class EmbeddingGeneratorTests
{
    static SentenceEncoder Make() => new(new FakeTokenizer(), new FakeBackbone(), new SentenceEncoderConfig { ModelId = "tiny-fake", Normalize = true });

    [Fact]
    public async Task GeneratesInInputOrderWithMetadata()
    {
        var encoder = Make();
        using IEmbeddingGenerator<string, Embedding<float>> generator = encoder.AsEmbeddingGenerator();
        var texts = new[] { "a b c d e f", "x", "the cat sat on the mat", "" };
        var embeddings = await generator.GenerateAsync(texts);
        var expected = encoder.Encode(texts);
        Assert.Equal(texts.Length, embeddings.Count);
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.Equal(expected[i], embeddings[i].Vector.ToArray());
            Assert.Equal("tiny-fake", embeddings[i].ModelId);
        }
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal(SentenceEncoderEmbeddingGenerator.ProviderName, metadata!.ProviderName);
        Assert.Equal("tiny-fake", metadata.DefaultModelId);
        Assert.Equal(4, metadata.DefaultModelDimensions);
        Assert.Same(encoder, generator.GetService<SentenceEncoder>());
        Assert.Null(generator.GetService(typeof(SentenceEncoder), serviceKey: "other"));
    }

    [Fact]
    public async Task DimensionsOptionTruncatesAndRenormalises()
    {
        var generator = Make().AsEmbeddingGenerator();
        var e = await generator.GenerateAsync(new[] { "dogs bark", "cats" }, new EmbeddingGenerationOptions { Dimensions = 2 });
        Assert.All(e, x => Assert.Equal(2, x.Dimensions));
        Assert.All(e, x => Assert.Equal(1f, MathF.Sqrt(x.Vector.ToArray().Sum(v => v * v)), 5));
        var single = await generator.GenerateVectorAsync("cats");
        Assert.Equal(4, single.Length);
    }

    [Fact]
    public async Task DefaultsApplyAndCancellationIsHonoured()
    {
        var encoder = Make();
        encoder.Config.Prompts["q"] = "query: ";
        var generator = encoder.AsEmbeddingGenerator(new EncodeOptions { PromptName = "q" });
        var v = await generator.GenerateVectorAsync("cats");
        Assert.Equal(encoder.Encode("cats", new EncodeOptions { PromptName = "q" }), v.ToArray());
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => generator.GenerateAsync(new[] { "a", "b" }, cancellationToken: cts.Token));
    }

    [Fact]
    public async Task DependencyInjectionWithInstance()
    {
        var encoder = Make();
        var services = new ServiceCollection();
        services.AddSentenceEncoderEmbeddingGenerator(encoder, new EncodeOptions { Normalize = false });
        using var provider = services.BuildServiceProvider();
        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.Same(generator, provider.GetRequiredService<SentenceEncoderEmbeddingGenerator>());
        Assert.Same(encoder, provider.GetRequiredService<SentenceEncoder>());
        var v = await generator.GenerateVectorAsync("dogs bark");
        Assert.Equal(encoder.Encode("dogs bark", new EncodeOptions { Normalize = false }), v.ToArray());
    }

    [Fact]
    public void DependencyInjectionWithPathLoadsLazily()
    {
        var services = new ServiceCollection();
        var missing = Path.Combine(Path.GetTempPath(), "no-such-model-" + Guid.NewGuid().ToString("N"));
        services.AddSentenceEncoderEmbeddingGenerator(missing);
        services.AddKeyedSentenceEncoderEmbeddingGenerator("second", missing);
        using var provider = services.BuildServiceProvider(); // nothing loaded yet
        var ex = Assert.Throws<ModelFormatException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.Equal(missing, ex.Path);
        Assert.Throws<ModelFormatException>(() => provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>("second"));
    }
}
