using System.CommandLine;
using MLNet.Embeddings.Cli.Serving;

namespace MLNet.Embeddings.Cli.Commands;

/// <summary><c>mlnet-embed serve --model DIR [--host H] [--port N]</c>: an OpenAI-compatible HTTP embeddings service.</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model folder or word-vector file.", Required = true };
        var host = new Option<string>("--host") { Description = "Address to listen on.", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port to listen on.", DefaultValueFactory = _ => 8080 };
        var command = new Command("serve", "Serve embeddings over HTTP: POST /v1/embeddings (OpenAI-compatible), GET /v1/models, GET /health.");
        command.Options.Add(model); command.Options.Add(host); command.Options.Add(port);
        command.SetAction(parse =>
        {
            int portNumber = parse.GetValue(port);
            if (portNumber is < 0 or > 65535) throw new ConfigurationException("--port", $"must be between 0 and 65535, found {portNumber}.");
            var encoder = SentenceEncoder.Load(parse.GetValue(model)!);
            var url = $"http://{parse.GetValue(host)}:{portNumber}";
            var app = EmbeddingServer.Build(encoder, url, quiet: false);
            Console.Error.WriteLine($"serving {encoder.Config.ModelId} ({encoder.Dimensions} dimensions) on {url}/v1/embeddings — Ctrl+C to stop");
            app.Run();
            return 0;
        });
        return command;
    }
}
