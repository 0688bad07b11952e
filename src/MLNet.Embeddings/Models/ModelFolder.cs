using System.Text.Json;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Pooling;
using MLNet.Embeddings.Scoring;

namespace MLNet.Embeddings.Models;

/// <summary>
/// Reads and writes the configuration files of a Hugging Face / sentence-transformers model folder:
/// <c>modules.json</c>, <c>1_Pooling/config.json</c>, <c>2_Normalize/</c>, <c>sentence_bert_config.json</c>,
/// <c>config_sentence_transformers.json</c> and <c>config.json</c>'s <c>model_type</c>.
/// Errors are <see cref="ModelFormatException"/>s naming the file and field.
/// </summary>
public static class ModelFolder
{
    /// <summary>modules.json: the module pipeline.</summary>
    public const string ModulesFile = "modules.json";
    /// <summary>sentence_bert_config.json: max_seq_length and do_lower_case.</summary>
    public const string SentenceBertConfigFile = "sentence_bert_config.json";
    /// <summary>config_sentence_transformers.json: prompts and the similarity function.</summary>
    public const string SentenceTransformersConfigFile = "config_sentence_transformers.json";
    /// <summary>config.json: the Hugging Face model configuration.</summary>
    public const string ConfigFile = "config.json";

    static readonly string[] PoolingFlags =
    {
        "pooling_mode_cls_token", "pooling_mode_mean_tokens", "pooling_mode_max_tokens",
        "pooling_mode_mean_sqrt_len_tokens", "pooling_mode_weightedmean_tokens", "pooling_mode_lasttoken",
    };
    static readonly PoolingMode[] FlagModes =
    {
        PoolingMode.Cls, PoolingMode.Mean, PoolingMode.Max, PoolingMode.MeanSqrtLen, PoolingMode.WeightedMean, PoolingMode.LastToken,
    };

    /// <summary>Reads a folder: the sentence-transformers layout when modules.json is present, else a plain Hugging Face folder (mean pooling, no normalisation).</summary>
    /// <exception cref="ModelFormatException">The folder is missing, a file is malformed, or a module is not supported.</exception>
    public static ModelFolderLayout Read(string folder)
    {
        if (!Directory.Exists(folder)) throw new ModelFormatException(folder, "model folder not found.");
        var config = new SentenceEncoderConfig { ModelId = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder))) };
        string modulesPath = Path.Combine(folder, ModulesFile);
        string backboneFolder = folder;
        bool isSentenceTransformers = File.Exists(modulesPath);
        bool staticModule = false, sawPooling = false, sawBackbone = false, sawNormalize = false;
        string? poolingPath = null, sentenceBertPath = null;
        int? poolingDim = null;
        if (isSentenceTransformers)
        {
            string? previous = null;
            foreach (var module in ReadModules(modulesPath))
            {
                string modulePath = module.Path is "" or "." ? folder : Path.Combine(folder, module.Path);
                // The pipeline runs in idx order: the backbone first, then Pooling, and Normalize last.
                ModelFormatException Order(string expected) => new(modulesPath,
                    $"module {module.Index} '{module.Kind}' {expected}, found it after '{previous ?? "nothing"}'; expected the order Transformer (or StaticEmbedding) → Pooling → Normalize.");
                if (sawNormalize && module.Kind is "Transformer" or "StaticEmbedding" or "Pooling" or "Normalize" or "Dense")
                    throw Order("must come before Normalize");
                switch (module.Kind)
                {
                    case "Transformer":
                    case "StaticEmbedding":
                        if (sawBackbone || sawPooling) throw Order("must be the first module");
                        sawBackbone = true;
                        backboneFolder = modulePath;
                        staticModule = module.Kind == "StaticEmbedding";
                        break;
                    case "Pooling":
                        if (sawPooling) throw new ModelFormatException(modulesPath, "more than one Pooling module is not supported.");
                        if (!sawBackbone) throw Order("must follow the Transformer module");
                        sawPooling = true;
                        poolingPath = Path.Combine(modulePath, ConfigFile);
                        var pooling = ReadPoolingConfig(poolingPath);
                        config.Pooling = pooling.Mode;
                        config.PoolingIncludePrompt = pooling.IncludePrompt;
                        poolingDim = pooling.WordEmbeddingDimension;
                        break;
                    case "Dense":
                        if (!sawPooling) throw Order("must follow the Pooling module");
                        config.Dense.Add(DenseLayer.Load(modulePath));
                        break;
                    case "Normalize":
                        if (!sawBackbone) throw Order("must follow the Transformer and Pooling modules");
                        sawNormalize = true;
                        config.Normalize = true;
                        break;
                    default:
                        throw new ModelFormatException(modulesPath, $"module {module.Index} '{module.Type}' (path '{module.Path}') is not supported; supported: Transformer, StaticEmbedding, Pooling, Dense, Normalize.");
                }
                previous = module.Kind;
            }
            string stConfig = Path.Combine(folder, SentenceTransformersConfigFile);
            if (File.Exists(stConfig)) ReadSentenceTransformersConfig(stConfig, config);
        }

        bool maxGiven = false;
        foreach (var candidate in new[] { Path.Combine(backboneFolder, SentenceBertConfigFile), Path.Combine(folder, SentenceBertConfigFile) })
            if (File.Exists(candidate)) { maxGiven = ReadSentenceBertConfig(candidate, config); sentenceBertPath = candidate; break; }

        string? modelType = staticModule ? "static" : null;
        string configPath = Path.Combine(backboneFolder, ConfigFile);
        if (!staticModule && File.Exists(configPath)) modelType = ReadModelType(configPath);
        return new ModelFolderLayout(folder, backboneFolder, modelType, config, isSentenceTransformers, maxGiven, sentenceBertPath, poolingPath, poolingDim);
    }

    /// <summary>Reads modules.json (a JSON array of <c>{idx, name, path, type}</c>), ordered by idx.</summary>
    public static IReadOnlyList<ModuleEntry> ReadModules(string path)
    {
        using var doc = JsonFile.Parse(path);
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
            throw new ModelFormatException(path, $"expected a JSON array of modules, found {doc.RootElement.ValueKind}.");
        var modules = new List<ModuleEntry>();
        int position = 0;
        foreach (var m in doc.RootElement.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, $"module {position}: expected an object, found {m.ValueKind}.");
            string type = JsonFile.String(path, m, "type") ?? throw new ModelFormatException(path, $"module {position}: field 'type' is missing.");
            int idx = JsonFile.Int(path, m, "idx") ?? position;
            string name = JsonFile.String(path, m, "name") ?? idx.ToString(System.Globalization.CultureInfo.InvariantCulture);
            string modulePath = JsonFile.String(path, m, "path") ?? throw new ModelFormatException(path, $"module {position} ('{type}'): field 'path' is missing.");
            if (Path.IsPathRooted(modulePath) || modulePath.Split('/', '\\').Contains(".."))
                throw new ModelFormatException(path, $"module {position}: field 'path' must stay inside the model folder, found '{modulePath}'.");
            modules.Add(new ModuleEntry(idx, name, modulePath, type));
            position++;
        }
        return modules.OrderBy(m => m.Index).ToList();
    }

    /// <summary>Reads a Pooling module's config.json (pooling_mode_* flags or pooling_mode, include_prompt).</summary>
    public static PoolingConfig ReadPoolingConfig(string path)
    {
        using var doc = JsonFile.ParseObject(path);
        var root = doc.RootElement;
        PoolingMode? mode = null;
        string? named = JsonFile.String(path, root, "pooling_mode");
        if (named is not null) mode = ParsePoolingMode(named) ?? throw new ModelFormatException(path, $"field 'pooling_mode': unknown mode '{named}'; expected cls, lasttoken, max, mean, mean_sqrt_len_tokens or weightedmean.");
        else
        {
            var set = new List<string>();
            for (int i = 0; i < PoolingFlags.Length; i++)
                if (JsonFile.Bool(path, root, PoolingFlags[i]) == true) { set.Add(PoolingFlags[i]); mode = FlagModes[i]; }
            if (set.Count == 0) throw new ModelFormatException(path, $"no pooling mode is set; expected exactly one of {string.Join(", ", PoolingFlags)} to be true.");
            if (set.Count > 1) throw new ModelFormatException(path, $"combined pooling modes ({string.Join(" + ", set)}) are not supported; expected exactly one to be true.");
        }
        bool includePrompt = JsonFile.Bool(path, root, "include_prompt") ?? true;
        int? dim = JsonFile.Int(path, root, "word_embedding_dimension");
        return new PoolingConfig(mode!.Value, includePrompt, dim);
    }

    /// <summary>Reads sentence_bert_config.json into <paramref name="config"/>; returns whether max_seq_length was given.</summary>
    public static bool ReadSentenceBertConfig(string path, SentenceEncoderConfig config)
    {
        using var doc = JsonFile.ParseObject(path);
        var root = doc.RootElement;
        int? max = JsonFile.Int(path, root, "max_seq_length");
        if (max is <= 0) throw new ModelFormatException(path, $"field 'max_seq_length' must be positive, found {max}.");
        if (max is int m) config.MaxSeqLength = m;
        if (JsonFile.Bool(path, root, "do_lower_case") is bool lower) config.DoLowerCase = lower;
        return max is not null;
    }

    /// <summary>Reads config_sentence_transformers.json (prompts, default_prompt_name, similarity_fn_name) into <paramref name="config"/>.</summary>
    public static void ReadSentenceTransformersConfig(string path, SentenceEncoderConfig config)
    {
        using var doc = JsonFile.ParseObject(path);
        var root = doc.RootElement;
        if (root.TryGetProperty("prompts", out var prompts) && prompts.ValueKind != JsonValueKind.Null)
        {
            if (prompts.ValueKind != JsonValueKind.Object) throw new ModelFormatException(path, $"field 'prompts' must be an object of name → prompt, found {prompts.ValueKind}.");
            config.Prompts = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var p in prompts.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String) throw new ModelFormatException(path, $"field 'prompts.{p.Name}' must be a string, found {p.Value.ValueKind}.");
                config.Prompts[p.Name] = p.Value.GetString()!;
            }
        }
        string? defaultPrompt = JsonFile.String(path, root, "default_prompt_name");
        if (defaultPrompt is not null && !config.Prompts.ContainsKey(defaultPrompt))
            throw new ModelFormatException(path, $"field 'default_prompt_name' is '{defaultPrompt}', which is not one of the prompts ({string.Join(", ", config.Prompts.Keys)}).");
        config.DefaultPromptName = defaultPrompt;
        string? similarity = JsonFile.String(path, root, "similarity_fn_name");
        if (similarity is not null)
            config.Similarity = ParseSimilarity(similarity) ?? throw new ModelFormatException(path, $"field 'similarity_fn_name': unknown function '{similarity}'; expected cosine, dot, euclidean or manhattan.");
    }

    /// <summary>The <c>model_type</c> of a config.json.</summary>
    public static string ReadModelType(string path)
    {
        using var doc = JsonFile.ParseObject(path);
        return JsonFile.String(path, doc.RootElement, "model_type") ?? throw new ModelFormatException(path, "field 'model_type' is missing.");
    }

    /// <summary>A pooling mode from its sentence-transformers name (cls, lasttoken, max, mean, mean_sqrt_len_tokens, weightedmean), or null.</summary>
    public static PoolingMode? ParsePoolingMode(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cls" or "cls_token" => PoolingMode.Cls,
        "mean" or "mean_tokens" => PoolingMode.Mean,
        "max" or "max_tokens" => PoolingMode.Max,
        "mean_sqrt_len_tokens" or "mean_sqrt_len" => PoolingMode.MeanSqrtLen,
        "weightedmean" or "weightedmean_tokens" or "weighted_mean" => PoolingMode.WeightedMean,
        "lasttoken" or "last_token" => PoolingMode.LastToken,
        _ => null,
    };

    /// <summary>A similarity function from its sentence-transformers name (cosine, dot, dot_product, euclidean, manhattan), or null.</summary>
    public static SimilarityFunction? ParseSimilarity(string name) => name.Trim().ToLowerInvariant() switch
    {
        "cosine" => SimilarityFunction.Cosine,
        "dot" or "dot_product" => SimilarityFunction.Dot,
        "euclidean" => SimilarityFunction.Euclidean,
        "manhattan" => SimilarityFunction.Manhattan,
        _ => null,
    };

    /// <summary>The sentence-transformers name of a similarity function.</summary>
    public static string SimilarityName(SimilarityFunction f) => f switch
    {
        SimilarityFunction.Cosine => "cosine",
        SimilarityFunction.Dot => "dot",
        SimilarityFunction.Euclidean => "euclidean",
        SimilarityFunction.Manhattan => "manhattan",
        _ => throw new ArgumentOutOfRangeException(nameof(f)),
    };

    /// <summary>
    /// Writes the sentence-transformers configuration files for <paramref name="config"/> into <paramref name="folder"/>
    /// (the backbone and tokenizer write their own files): modules.json, config_sentence_transformers.json,
    /// sentence_bert_config.json, 1_Pooling/config.json and, when normalising, 2_Normalize/.
    /// A static backbone is written as a StaticEmbedding module (it pools by itself, so no Pooling module).
    /// </summary>
    /// <param name="folder">The model folder.</param>
    /// <param name="config">The settings to write.</param>
    /// <param name="hiddenSize">The backbone's hidden size (Pooling word_embedding_dimension).</param>
    /// <param name="staticModel">True for a static word-vector backbone.</param>
    /// <param name="maxSeqLength">max_seq_length to write instead of <paramref name="config"/>'s (e.g. capped at the position embeddings).</param>
    public static void Write(string folder, SentenceEncoderConfig config, int hiddenSize, bool staticModel = false, int? maxSeqLength = null)
    {
        Directory.CreateDirectory(folder);
        var modules = new JsonArray();
        void Add(string path, string type) => modules.Add(new JsonObject
        {
            ["idx"] = modules.Count, ["name"] = modules.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["path"] = path, ["type"] = type,
        });
        if (staticModel && config.Pooling == PoolingMode.Mean)
            Add("", "sentence_transformers.models.StaticEmbedding");
        else
        {
            Add("", "sentence_transformers.models.Transformer");
            Add("1_Pooling", "sentence_transformers.models.Pooling");
            var pooling = new JsonObject { ["word_embedding_dimension"] = hiddenSize };
            for (int i = 0; i < PoolingFlags.Length; i++) pooling[PoolingFlags[i]] = FlagModes[i] == config.Pooling;
            pooling["include_prompt"] = config.PoolingIncludePrompt;
            JsonFile.Write(Path.Combine(folder, "1_Pooling", ConfigFile), pooling);
            foreach (var dense in config.Dense)
            {
                string name = $"{modules.Count}_Dense";
                dense.Save(Path.Combine(folder, name));
                Add(name, "sentence_transformers.models.Dense");
            }
        }
        string normalizeFolder = Path.Combine(folder, $"{modules.Count}_Normalize");
        if (config.Normalize)
        {
            Add($"{modules.Count}_Normalize", "sentence_transformers.models.Normalize");
            Directory.CreateDirectory(normalizeFolder);
        }
        JsonFile.Write(Path.Combine(folder, ModulesFile), modules);

        var prompts = new JsonObject();
        foreach (var (name, prompt) in config.Prompts.OrderBy(p => p.Key, StringComparer.Ordinal)) prompts[name] = prompt;
        JsonFile.Write(Path.Combine(folder, SentenceTransformersConfigFile), new JsonObject
        {
            ["__version__"] = new JsonObject { ["sentence_transformers"] = "3.4.1", ["mlnet_embeddings"] = typeof(ModelFolder).Assembly.GetName().Version?.ToString() },
            ["model_type"] = "SentenceTransformer",
            ["prompts"] = prompts,
            ["default_prompt_name"] = config.DefaultPromptName,
            ["similarity_fn_name"] = SimilarityName(config.Similarity),
        });
        JsonFile.Write(Path.Combine(folder, SentenceBertConfigFile), new JsonObject
        {
            ["max_seq_length"] = maxSeqLength ?? config.MaxSeqLength,
            ["do_lower_case"] = config.DoLowerCase,
        });
    }
}
