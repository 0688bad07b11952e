using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>
/// Retrieval quality of an embedding model: embeds queries and a corpus, ranks the whole corpus for each query by
/// cosine similarity (exact search) and reports <c>recall@k</c>, <c>precision@k</c>, <c>mrr@k</c>, <c>ndcg@k</c> and
/// <c>map@k</c> with binary relevance, as sentence-transformers' <c>InformationRetrievalEvaluator</c> does.
/// Queries without relevant documents are skipped; relevant ids missing from the corpus still count as relevant.
/// </summary>
/// <example>
/// <code>
/// var evaluator = InformationRetrievalEvaluator.FromExamples(TrainingDataReader.Read("test.jsonl"));
/// var metrics = evaluator.Evaluate(model);   // metrics["ndcg@10"]
/// </code>
/// </example>
public sealed class InformationRetrievalEvaluator : IEmbeddingEvaluator
{
    private readonly string[] _queryIds, _queryTexts, _corpusIds, _corpusTexts;
    private readonly IReadOnlySet<string>[] _relevant;
    private readonly int[] _ks;
    private readonly InformationRetrievalEvaluatorOptions _options;

    /// <summary>Creates the evaluator from ids → texts and query id → relevant document ids.</summary>
    public InformationRetrievalEvaluator(
        IReadOnlyDictionary<string, string> queries,
        IReadOnlyDictionary<string, string> corpus,
        IReadOnlyDictionary<string, IReadOnlySet<string>> relevantDocs,
        InformationRetrievalEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ArgumentNullException.ThrowIfNull(corpus);
        ArgumentNullException.ThrowIfNull(relevantDocs);
        _options = options ?? new InformationRetrievalEvaluatorOptions();
        if (_options.Ks.Count == 0) throw new ConfigurationException("Ks", "expected at least one cut-off k.");
        foreach (int k in _options.Ks)
            if (k < 1) throw new ConfigurationException("Ks", $"every k must be at least 1; found {k}.");
        _ks = _options.Ks.Distinct().OrderBy(k => k).ToArray();
        var kept = queries.Where(q => relevantDocs.TryGetValue(q.Key, out var r) && r.Count > 0).ToArray();
        _queryIds = kept.Select(q => q.Key).ToArray();
        _queryTexts = kept.Select(q => q.Value).ToArray();
        _relevant = kept.Select(q => relevantDocs[q.Key]).ToArray();
        _corpusIds = corpus.Keys.ToArray();
        _corpusTexts = corpus.Values.ToArray();
        if (_queryIds.Length == 0) throw new ArgumentException("No query has a relevant document; nothing to evaluate.", nameof(relevantDocs));
        if (_corpusIds.Length == 0) throw new ArgumentException("The corpus is empty; nothing to evaluate.", nameof(corpus));
        PrimaryMetric = _ks.Contains(10) ? "ndcg@10" : $"ndcg@{_ks[^1]}";
    }

    /// <summary>
    /// Builds queries, corpus and judgements from dataset rows: each row's query (with its <see cref="TrainingExample.Prompt"/>
    /// prepended when set) is a query, its positives are relevant, and the positives of all rows form the corpus,
    /// de-duplicated by text (rows with the same query text are merged).
    /// </summary>
    public static InformationRetrievalEvaluator FromExamples(IEnumerable<TrainingExample> rows, InformationRetrievalEvaluatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        options ??= new InformationRetrievalEvaluatorOptions();
        var queries = new Dictionary<string, string>();
        var queryIdByText = new Dictionary<string, string>(StringComparer.Ordinal);
        var corpus = new Dictionary<string, string>();
        var docIdByText = new Dictionary<string, string>(StringComparer.Ordinal);
        var relevant = new Dictionary<string, HashSet<string>>();

        string DocId(string text)
        {
            if (!docIdByText.TryGetValue(text, out var id))
            {
                id = "d" + docIdByText.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                docIdByText[text] = id;
                corpus[id] = text;
            }
            return id;
        }

        foreach (var row in rows)
        {
            string text = (row.Prompt ?? "") + row.Query;
            if (!queryIdByText.TryGetValue(text, out var qid))
            {
                qid = "q" + queryIdByText.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                queryIdByText[text] = qid;
                queries[qid] = text;
                relevant[qid] = new HashSet<string>();
            }
            foreach (var pos in row.Pos) relevant[qid].Add(DocId(pos));
            if (options.IncludeNegativesInCorpus)
                foreach (var neg in row.Neg) DocId(neg);
        }
        var judgements = relevant.ToDictionary(p => p.Key, p => (IReadOnlySet<string>)p.Value);
        return new InformationRetrievalEvaluator(queries, corpus, judgements, options);
    }

    /// <inheritdoc/>
    public string Name => _options.Name;
    /// <inheritdoc/>
    public string PrimaryMetric { get; }
    /// <summary>Number of queries evaluated (those with at least one relevant document).</summary>
    public int QueryCount => _queryIds.Length;
    /// <summary>Number of corpus documents.</summary>
    public int CorpusCount => _corpusIds.Length;
    /// <summary>The cut-offs, ascending.</summary>
    public IReadOnlyList<int> Ks => _ks;

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, double> Evaluate(SentenceEncoder model, CancellationToken cancellationToken = default)
        => Evaluate(
            EmbeddingHelpers.FromModel(model, _options.QueryPromptName, _options.BatchSize, cancellationToken),
            EmbeddingHelpers.FromModel(model, _options.CorpusPromptName, _options.BatchSize, cancellationToken),
            cancellationToken);

    /// <summary>Evaluates with one embedding function for queries and documents (e.g. a test double).</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embed, CancellationToken cancellationToken = default)
        => Evaluate(embed, embed, cancellationToken);

    /// <summary>Evaluates with separate embedding functions for queries and for documents.</summary>
    public IReadOnlyDictionary<string, double> Evaluate(Func<IReadOnlyList<string>, float[][]> embedQueries, Func<IReadOnlyList<string>, float[][]> embedCorpus, CancellationToken cancellationToken = default)
    {
        var q = EmbeddingHelpers.Embed(embedQueries, _queryTexts);
        cancellationToken.ThrowIfCancellationRequested();
        var d = EmbeddingHelpers.Embed(embedCorpus, _corpusTexts);
        cancellationToken.ThrowIfCancellationRequested();
        var top = ExactSearch.TopK(q, d, _ks[^1], cancellationToken);
        var rankings = new IReadOnlyList<string>[top.Length];
        for (int i = 0; i < top.Length; i++) rankings[i] = Array.ConvertAll(top[i], j => _corpusIds[j]);
        return RetrievalMetrics.Compute(rankings, _relevant, _ks);
    }
}
