using System.CommandLine;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>The encoding options shared by commands that encode: prompt, batch size, length and Matryoshka dimensions.</summary>
internal sealed class EncodeArguments
{
    public required Option<string?> PromptName { get; init; }
    public required Option<string?> Prompt { get; init; }
    public required Option<int> BatchSize { get; init; }
    public required Option<int?> MaxLength { get; init; }
    public required Option<int?> Dimensions { get; init; }

    public static EncodeArguments Create() => new()
    {
        PromptName = new Option<string?>("--prompt-name") { Description = "Name of a prompt from config_sentence_transformers.json (e.g. query)." },
        Prompt = new Option<string?>("--prompt") { Description = "A literal prompt prepended to every text." },
        BatchSize = new Option<int>("--batch-size") { Description = "Texts per forward pass.", DefaultValueFactory = _ => 32 },
        MaxLength = new Option<int?>("--max-length") { Description = "Token cap per text (default: the model's max_seq_length)." },
        Dimensions = new Option<int?>("--dimensions") { Description = "Keep the first N dimensions (Matryoshka), then normalise if normalising." },
    };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { PromptName, Prompt, BatchSize, MaxLength, Dimensions }) command.Options.Add(o);
    }

    public EncodeOptions Read(ParseResult parseResult)
    {
        string? name = parseResult.GetValue(PromptName), literal = parseResult.GetValue(Prompt);
        if (name is not null && literal is not null) throw new ConfigurationException("--prompt", "give either --prompt-name or --prompt, not both.");
        int batch = parseResult.GetValue(BatchSize);
        if (batch <= 0) throw new ConfigurationException("--batch-size", $"must be at least 1, found {batch}.");
        return new EncodeOptions
        {
            PromptName = name, Prompt = literal, BatchSize = batch,
            MaxLength = parseResult.GetValue(MaxLength), Dimensions = parseResult.GetValue(Dimensions),
        };
    }
}
