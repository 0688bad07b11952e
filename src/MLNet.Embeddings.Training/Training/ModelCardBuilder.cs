using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;
using MLNet.Embeddings.Training.Losses;

namespace MLNet.Embeddings.Training;

/// <summary>Fills a <see cref="ModelCard"/> from a finished training run.</summary>
internal static class ModelCardBuilder
{
    public static ModelCard Build(SentenceEncoder model, ILoss loss, TrainerSettings settings, ColumnPlan plan, int rowCount, string? source,
        int steps, TimeSpan elapsed, IReadOnlyDictionary<string, double>? before, IReadOnlyDictionary<string, double>? after)
    {
        var o = settings.Options;
        var card = new ModelCard
        {
            CreatedUtc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            BaseModel = model.SourcePath,
            Loss = loss.Name,
            Steps = steps,
            TrainingSeconds = Math.Round(elapsed.TotalSeconds, 3),
            Evaluator = o.Evaluator?.Name,
            PrimaryMetric = o.Evaluator?.PrimaryMetric,
            EvaluationBefore = before is null ? null : new SortedDictionary<string, double>(before.ToDictionary(), StringComparer.Ordinal),
            EvaluationAfter = after is null ? null : new SortedDictionary<string, double>(after.ToDictionary(), StringComparer.Ordinal),
        };
        card.TrainingData.Add(source is not null && File.Exists(source)
            ? new ModelCardDataset { Path = source, Rows = rowCount, Sha256 = Sha256(source) }
            : new ModelCardDataset { Path = "(rows in memory)", Rows = rowCount });
        AddLossParameters(card, loss);
        var h = card.Hyperparameters;
        h["learning_rate"] = settings.LearningRate;
        h["batch_size"] = o.BatchSize;
        h["epochs"] = o.MaxSteps is null ? o.Epochs : null;
        h["max_steps"] = o.MaxSteps;
        h["warmup_ratio"] = o.WarmupRatio;
        h["warmup_steps"] = o.WarmupSteps;
        h["schedule"] = o.Schedule.ToString().ToLowerInvariant();
        h["weight_decay"] = o.WeightDecay;
        h["max_grad_norm"] = o.MaxGradNorm;
        h["gradient_accumulation_steps"] = o.GradientAccumulationSteps;
        h["seed"] = o.Seed;
        h["shuffle"] = o.Shuffle;
        h["no_duplicates"] = o.NoDuplicates;
        h["dropout"] = o.Dropout;
        h["max_length"] = settings.MaxLength;
        h["hard_negatives_per_row"] = plan.Negatives;
        h["rows_filled_with_negatives"] = plan.RowsFilled;
        h["load_best_model_at_end"] = o.Evaluator is not null && o.LoadBestModelAtEnd;
        return card;
    }

    static void AddLossParameters(ModelCard card, ILoss loss)
    {
        if (loss is MatryoshkaLoss m)
        {
            card.LossParameters["dimensions"] = new JsonArray(m.Dimensions.Select(d => (JsonNode?)d).ToArray());
            card.LossParameters["inner"] = m.Inner.Name;
            loss = m.Inner;
        }
        foreach (var p in loss.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.Name is "Name" or "Columns" || p.GetIndexParameters().Length > 0) continue;
            object? v = p.GetValue(loss);
            JsonNode? node = v switch
            {
                float f => f, double d => d, int i => i, bool b => b, string s => s,
                Enum e => e.ToString(), _ => null,
            };
            if (node is not null || v is null && p.PropertyType == typeof(string)) card.LossParameters[ToSnake(p.Name)] = node;
        }
    }

    static string ToSnake(string name) =>
        string.Concat(name.Select((c, i) => char.IsUpper(c) && i > 0 ? "_" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
