using MLNet.Embeddings.Scoring;
using System.Text.Json;
using MLNet.Embeddings.Training.Data.Mining;

namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>The filters of <see cref="DataGenerator"/> and what they remember (texts kept so far), applied in input order.</summary>
internal sealed class FilterState
{
    private readonly GenerationOptions _o;
    private readonly List<DataGenerator.Item> _items;
    private readonly HashSet<string> _exact = new(StringComparer.Ordinal);
    private readonly NearDuplicateIndex _near;
    private Bm25Index? _bm25;
    private float[][]? _passageVectors;
    private List<string>? _passages;

    public FilterState(GenerationOptions options, List<DataGenerator.Item> items)
    {
        _o = options;
        _items = items;
        _near = new NearDuplicateIndex(options.NearDuplicates);
    }

    /// <summary>Adds a written row's texts to the duplicate filters (also used when replaying a resumed file).</summary>
    public void Remember(TrainingExample row)
    {
        if (_o.Task == GenerationTask.Negatives)
        {
            foreach (var t in row.Pos) Add(t);
            foreach (var t in row.Neg) Add(t);
        }
        else Add(row.Query);
    }

    private void Add(string text)
    {
        if (_exact.Add(TextNormalizer.Key(text))) _near.Add(text);
    }

    /// <summary>Filters one reply and returns the rows to write for its item.</summary>
    public List<TrainingExample> Process(DataGenerator.Item item, DataGenerator.Reply reply, DataGenerator.Counts counts, string model, string templateId)
    {
        var rows = new List<TrainingExample>();
        if (string.IsNullOrWhiteSpace(item.Source)) return rows;
        if (item.Row is not null)
        {
            Remember(item.Row);
            if (_o.Task == GenerationTask.Paraphrases) rows.Add(item.Row);
        }
        List<string> texts = [];
        if (reply.Failed) counts.Failed++;
        else if (reply.Refused) counts.Drop("refusal");
        else
        {
            switch (ResponseParser.Parse(reply.Text, out texts))
            {
                case ResponseParser.Outcome.Refusal: counts.Drop("refusal"); break;
                case ResponseParser.Outcome.ParseFailure: counts.Drop("parse_failure"); break;
            }
        }
        if (texts.Count > _o.PerItem) texts.RemoveRange(_o.PerItem, texts.Count - _o.PerItem);
        string script = TextScript.Of(_o.Task == GenerationTask.Negatives && item.Row!.Pos.Count > 0 ? item.Row.Pos[0] : item.Source);
        var kept = new List<string>();
        foreach (var raw in texts)
        {
            counts.Generated++;
            string text = raw.Trim();
            if (text.Length < _o.MinChars || text.Length > _o.EffectiveMaxChars) { counts.Drop("length"); continue; }
            if (_o.CheckLanguage && TextScript.Of(text) != script) { counts.Drop("language"); continue; }
            string key = TextNormalizer.Key(text);
            if (_exact.Contains(key) || kept.Any(k => TextNormalizer.Key(k) == key)) { counts.Drop("exact_duplicate"); continue; }
            if (_o.DropNearDuplicates && _near.FindBest(_near.Signature(text)) is not null) { counts.Drop("near_duplicate"); continue; }
            if (_o.Task == GenerationTask.Queries && _o.RoundTripTopK > 0 && !RoundTrip(text, (int)item.Index)) { counts.Drop("round_trip"); continue; }
            if (_o.Task == GenerationTask.Negatives && _o.Judge is { } judge && item.Row!.Pos.Count > 0)
            {
                var scores = judge.Score(item.Row.Query, [item.Row.Pos[0], text]);
                if (scores[1] > scores[0]) { counts.Drop("judge"); continue; }
            }
            counts.Kept++;
            kept.Add(text);
            if (_o.Task != GenerationTask.Negatives) Add(text);
        }
        var source = Source(model, templateId, item.Index, _o.Task == GenerationTask.Negatives ? kept.Count : null);
        switch (_o.Task)
        {
            case GenerationTask.Queries:
                foreach (var q in kept) rows.Add(new TrainingExample { Query = q, Pos = [item.Source], Extra = new() { ["source"] = source } });
                break;
            case GenerationTask.Paraphrases:
                foreach (var q in kept)
                    rows.Add(new TrainingExample
                    {
                        Query = q, Pos = [.. item.Row!.Pos], Neg = [.. item.Row.Neg], PosScores = item.Row.PosScores, NegScores = item.Row.NegScores,
                        Prompt = item.Row.Prompt, Type = item.Row.Type, Extra = new() { ["source"] = source },
                    });
                break;
            case GenerationTask.Negatives:
                var row = item.Row!;
                var outRow = new TrainingExample
                {
                    Query = row.Query, Pos = [.. row.Pos], Neg = [.. row.Neg, .. kept], PosScores = row.PosScores, Prompt = row.Prompt, Type = row.Type, Score = row.Score, Label = row.Label,
                    Extra = row.Extra is null ? new(StringComparer.Ordinal) : new(row.Extra, StringComparer.Ordinal),
                };
                // teacher scores cannot cover generated negatives: keep them only when nothing was added
                outRow.NegScores = kept.Count == 0 ? row.NegScores : null;
                if (kept.Count > 0) outRow.Extra["neg_source"] = source;
                if (outRow.Extra.Count == 0) outRow.Extra = null;
                Remember(outRow);
                rows.Add(outRow);
                break;
        }
        return rows;
    }

    private JsonElement Source(string model, string templateId, long item, int? count)
    {
        var d = new Dictionary<string, object> { ["generator"] = "llm", ["model"] = model, ["task"] = DataGenerator.TaskName(_o.Task), ["template"] = templateId, ["item"] = item };
        if (count is { } c) d["count"] = c;
        return JsonSerializer.SerializeToElement(d);
    }

    private bool RoundTrip(string query, int own)
    {
        var passages = _passages ??= _items.Select(i => i.Source).ToList();
        string ownText = passages[own];
        int k = _o.RoundTripTopK;
        if (_o.RoundTripEncoder is { } encoder)
        {
            _passageVectors ??= encoder.Encode(passages);
            var q = encoder.Encode([query])[0];
            float ownScore = VectorSimilarity.Cosine(q, _passageVectors[own]);
            int better = 0;
            for (int i = 0; i < passages.Count && better < k; i++)
                if (i != own && passages[i] != ownText && VectorSimilarity.Cosine(q, _passageVectors[i]) > ownScore) better++;
            return better < k;
        }
        _bm25 ??= new Bm25Index(passages);
        return _bm25.Search(query, k).Any(h => h.Id == own || passages[h.Id] == ownText);
    }
}
