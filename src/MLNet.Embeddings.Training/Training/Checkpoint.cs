using System.Runtime.InteropServices;
using System.Text.Json;
using MLNet.Embeddings.Tensors;

namespace MLNet.Embeddings.Training;

/// <summary>What a checkpoint remembers besides weights and optimiser moments.</summary>
internal sealed class TrainerState
{
    public int Step { get; set; }
    public int Seed { get; set; }
    public int TotalSteps { get; set; }
    public double? BestMetric { get; set; }
    public int BestStep { get; set; }
    public int EvalsWithoutImprovement { get; set; }
    public double WindowLoss { get; set; }
    public int WindowSteps { get; set; }
}

/// <summary>
/// Checkpoint folders <c>checkpoint-N/</c>: <c>model.bin</c> (parameters by name), <c>optimizer.bin</c> (AdamW
/// moments), <c>best.bin</c> (weights of the best evaluation, if any) and <c>trainer_state.json</c> (step, seed,
/// best metric, early-stopping counter). The data position and dropout seeds follow from step and seed. Written
/// into a temporary folder and renamed, so a killed run never leaves a half checkpoint.
/// </summary>
internal static class Checkpoint
{
    const string Magic = "MLNET-TENSORS-1";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static string Write(string outputDir, TrainerState state, IReadOnlyList<Parameter> ps, AdamW opt, float[][]? best, int keep)
    {
        Directory.CreateDirectory(outputDir);
        string final = Path.Combine(outputDir, $"checkpoint-{state.Step}");
        string tmp = Path.Combine(outputDir, $".tmp-checkpoint-{state.Step}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        var names = ps.Select(p => p.Name).ToArray();
        WriteTensors(Path.Combine(tmp, "model.bin"), names, ps.Select(p => p.Value).ToArray());
        WriteTensors(Path.Combine(tmp, "optimizer.bin"),
            names.Select(n => "m:" + n).Concat(names.Select(n => "v:" + n)).ToArray(),
            opt.FirstMoments.Concat(opt.SecondMoments).ToArray());
        if (best is not null) WriteTensors(Path.Combine(tmp, "best.bin"), names, best);
        File.WriteAllText(Path.Combine(tmp, "trainer_state.json"), JsonSerializer.Serialize(state, Json));
        if (Directory.Exists(final)) Directory.Delete(final, true);
        Directory.Move(tmp, final);
        foreach (var old in List(outputDir).SkipLast(Math.Max(1, keep))) Directory.Delete(old.Path, true);
        return final;
    }

    /// <summary>Loads a checkpoint into the parameters and optimiser; returns its state and best weights (or null).</summary>
    public static TrainerState Read(string folder, IReadOnlyList<Parameter> ps, AdamW opt, out float[][]? best)
    {
        var state = JsonSerializer.Deserialize<TrainerState>(File.ReadAllText(Path.Combine(folder, "trainer_state.json")))
            ?? throw new ModelFormatException(Path.Combine(folder, "trainer_state.json"), "empty trainer state");
        var model = ReadTensors(Path.Combine(folder, "model.bin"));
        var moments = ReadTensors(Path.Combine(folder, "optimizer.bin"));
        for (int i = 0; i < ps.Count; i++)
        {
            Copy(model, ps[i].Name, ps[i].Value, folder);
            ps[i].MarkChanged();
            Copy(moments, "m:" + ps[i].Name, opt.FirstMoments[i], folder);
            Copy(moments, "v:" + ps[i].Name, opt.SecondMoments[i], folder);
        }
        opt.Restore(state.Step);
        best = null;
        string bestPath = Path.Combine(folder, "best.bin");
        if (File.Exists(bestPath))
        {
            var b = ReadTensors(bestPath);
            best = ps.Select(p => { var a = new float[p.Value.Length]; Copy(b, p.Name, a, folder); return a; }).ToArray();
        }
        return state;
    }

    /// <summary>Checkpoint folders in <paramref name="outputDir"/>, oldest first.</summary>
    public static List<(int Step, string Path)> List(string outputDir) =>
        !Directory.Exists(outputDir) ? new() :
        Directory.GetDirectories(outputDir, "checkpoint-*")
            .Select(d => (ok: int.TryParse(Path.GetFileName(d)["checkpoint-".Length..], out int s), s, d))
            .Where(x => x.ok).OrderBy(x => x.s).Select(x => (x.s, x.d)).ToList();

    static void Copy(Dictionary<string, float[]> src, string name, float[] dst, string folder)
    {
        if (!src.TryGetValue(name, out var v)) throw new ModelFormatException(folder, $"checkpoint lacks tensor '{name}'");
        if (v.Length != dst.Length) throw new ModelFormatException(folder, $"tensor '{name}' has {v.Length} values, the model has {dst.Length}");
        v.CopyTo(dst, 0);
    }

    static void WriteTensors(string path, string[] names, IReadOnlyList<float[]> values)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write(Magic); w.Write(names.Length);
        for (int i = 0; i < names.Length; i++)
        {
            w.Write(names[i]); w.Write(values[i].Length);
            w.Write(MemoryMarshal.AsBytes(values[i].AsSpan()));
        }
    }

    static Dictionary<string, float[]> ReadTensors(string path)
    {
        using var r = new BinaryReader(File.OpenRead(path));
        if (r.ReadString() != Magic) throw new ModelFormatException(path, "not a checkpoint tensor file");
        int n = r.ReadInt32();
        var d = new Dictionary<string, float[]>(n);
        for (int i = 0; i < n; i++)
        {
            string name = r.ReadString(); var v = new float[r.ReadInt32()];
            r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(v.AsSpan()));
            d[name] = v;
        }
        return d;
    }
}
