namespace MLNet.Embeddings.Cli.Commands;

/// <summary>How many texts a run cut at the model's token limit, printed with the command's summary (stderr).</summary>
internal readonly struct TruncationReport
{
    readonly SentenceEncoder _encoder;
    readonly long _texts, _truncated;

    TruncationReport(SentenceEncoder encoder)
    {
        _encoder = encoder;
        _texts = encoder.Statistics.Texts;
        _truncated = encoder.Statistics.TruncatedTexts;
    }

    /// <summary>Starts counting from now.</summary>
    public static TruncationReport Start(SentenceEncoder encoder) => new(encoder);

    /// <summary>Texts cut since <see cref="Start"/>.</summary>
    public long Truncated => _encoder.Statistics.TruncatedTexts - _truncated;

    /// <summary>Writes <c>COMMAND: N of M texts were longer than L tokens and were truncated (…)</c>.</summary>
    public void Print(string command, int? maxLength = null)
    {
        long texts = _encoder.Statistics.Texts - _texts;
        int limit = _encoder.EffectiveMaxLength(maxLength);
        Console.Error.WriteLine(Truncated == 0
            ? $"{command}: no text was truncated ({texts} texts, limit {limit} tokens)"
            : $"{command}: {Truncated} of {texts} texts were longer than {limit} tokens and were truncated (embed --chunk-tokens splits them instead)");
    }
}
