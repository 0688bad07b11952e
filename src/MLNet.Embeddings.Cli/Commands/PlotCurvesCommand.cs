using System.CommandLine;
using System.Text.Json;
using MLNet.Embeddings.Training.Evaluation;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary>
/// <c>mlnet-embed plot-curves --log FILE --output FILE.svg</c>: draws the loss, the learning rate and every evaluation
/// metric of a trainer's metrics log (JSONL) over steps as one SVG.
/// </summary>
internal static class PlotCurvesCommand
{
    public static Command Create()
    {
        var log = new Option<string>("--log") { Description = "The trainer's metrics log (JSONL: step, loss, learning_rate, eval …).", Required = true };
        var output = new Option<string>("--output") { Description = "SVG file to write (atomically).", Required = true };
        var title = new Option<string?>("--title") { Description = "Title on the plot (default: the log's file name)." };
        var command = new Command("plot-curves", "Plot training curves (loss, learning rate, eval metrics) from a metrics log as SVG.");
        foreach (var o in new Option[] { log, output, title }) command.Options.Add(o);
        command.SetAction(parseResult =>
        {
            string logPath = parseResult.GetValue(log)!, outputPath = parseResult.GetValue(output)!;
            InputFile.Require(logPath, "--log");
            var parsed = TrainingLog.Read(logPath);
            var svg = TrainingCurvePlot.ToSvg(parsed, title: parseResult.GetValue(title) ?? Path.GetFileName(logPath));
            EvaluationOutput.WriteAtomic(outputPath, svg);
            Console.Out.WriteLine(JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["output"] = outputPath,
                ["train_series"] = parsed.Train.Keys.ToArray(),
                ["eval_series"] = parsed.Eval.Keys.ToArray(),
            }));
            return 0;
        });
        return command;
    }
}
