using System.CommandLine;
using System.Text;
using MLNet.Embeddings.Tokenization;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed tokenize --model DIR --input FILE [--output FILE]</c>: token ids of each text as JSONL
/// <c>{"index": 0, "ids": [101, …, 102]}</c>, with special tokens, truncated as the model is (max_seq_length of
/// sentence_bert_config.json, else the tokenizer's model_max_length, else 512).
/// </summary>
internal static class TokenizeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder (tokenizer.json, or vocab.txt + tokenizer_config.json) or word-vector file (.txt/.vec/.bin).", Required = true };
        var input = new Option<string>("--input") { Description = "Input texts: " + TextInput.Formats + ".", Required = true };
        var output = new Option<string?>("--output") { Description = "Output JSONL file (written atomically); stdout when omitted." };
        var maxLength = new Option<int?>("--max-length") { Description = "Override the model's maximum length (special tokens included)." };
        var command = new Command("tokenize", "Tokenize texts with a model's tokenizer and print the ids as JSONL.");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(maxLength);
        command.SetAction(parse =>
        {
            string folder = ModelArgument.ResolveName(parse.GetValue(model)!, "--model");
            ITokenizer tokenizer;
            int max;
            if (File.Exists(folder))
            {
                // a word-vector file (.txt/.vec/.bin): its word tokenizer, as embed uses it
                var encoder = SentenceEncoder.Load(folder);
                tokenizer = encoder.Tokenizer;
                max = parse.GetValue(maxLength) ?? encoder.Config.MaxSeqLength;
            }
            else
            {
                tokenizer = TokenizerLoader.Load(folder);
                max = parse.GetValue(maxLength) ?? TokenizerLoader.ReadMaxLength(folder) ?? 512;
            }
            if (max <= 0) throw new ConfigurationException("--max-length", $"must be positive, found {max}");
            string? outPath = parse.GetValue(output);
            int count = outPath is null
                ? Write(tokenizer, TextInput.Read(parse.GetValue(input)!), max, Console.Out)
                : WriteAtomic(outPath, w => Write(tokenizer, TextInput.Read(parse.GetValue(input)!), max, w));
            Console.Error.WriteLine($"tokenized {count} texts (max length {max})");
            return 0;
        });
        return command;
    }

    private static int Write(ITokenizer tokenizer, IEnumerable<string> texts, int maxLength, TextWriter writer)
    {
        var line = new StringBuilder();
        int index = 0;
        foreach (var text in texts)
        {
            var ids = tokenizer.Encode(text, maxLength).Ids;
            line.Clear().Append("{\"index\": ").Append(index++).Append(", \"ids\": [");
            for (int i = 0; i < ids.Length; i++) (i == 0 ? line : line.Append(", ")).Append(ids[i]);
            writer.Write(line.Append("]}\n"));
        }
        writer.Flush();
        return index;
    }

    private static int WriteAtomic(string path, Func<TextWriter, int> write)
    {
        int n = 0;
        AtomicText.Write(path, w => n = write(w)); // creates a missing output folder, as embed does
        return n;
    }
}
