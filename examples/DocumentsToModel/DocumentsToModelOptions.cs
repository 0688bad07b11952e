namespace DocumentsToModelExample;

/// <summary>Settings of <see cref="DocumentsToModelJob"/>; every one has a default except the endpoint.</summary>
public sealed class DocumentsToModelOptions
{
    /// <summary>OpenAI-compatible base URL, e.g. http://localhost:11434/v1 (Ollama).</summary>
    public required string Endpoint { get; set; }
    /// <summary>Chat model name.</summary>
    public string LlmModel { get; set; } = "llama3.2";
    /// <summary>Environment variable holding the API key; null for local servers.</summary>
    public string? ApiKeyEnv { get; set; }
    /// <summary>Passages (.jsonl with "text", .txt, .csv with a "text" column); null: the financial-qa-10K contexts.</summary>
    public string? Passages { get; set; }
    /// <summary>Passages used at most.</summary>
    public int Limit { get; set; } = 300;
    /// <summary>Queries asked for per passage.</summary>
    public int PerItem { get; set; } = 3;
    /// <summary>Embedding model to fine-tune (a folder or a word-vector file); default: GloVe from ../shared/data.</summary>
    public string Model { get; set; } = DocumentsToModelJob.DefaultGlove;
    /// <summary>Output folder.</summary>
    public string OutDir { get; set; } = Path.Combine(Path.GetTempPath(), "documents-to-model");
    /// <summary>Seed for sampling, the split and training.</summary>
    public int Seed { get; set; } = 42;
    /// <summary>Training epochs.</summary>
    public int Epochs { get; set; } = 1;
}
