using System.Text.Json.Nodes;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tests.Models;

/// <summary>The one JSON-file helper never falls back silently: a wrong type is an error naming file and field.</summary>
public sealed class JsonFileTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("jsonfile-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Write(string json)
    {
        string path = Path.Combine(_dir, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Theory]
    [InlineData("{\"hidden_size\": \"384\"}")]
    [InlineData("{\"hidden_size\": 384.5}")]
    [InlineData("{\"hidden_size\": [384]}")]
    [InlineData("{\"hidden_size\": 1e40}")]
    public void AWrongIntegerIsAnErrorNamingFileAndField(string json)
    {
        string path = Write(json);
        var obj = JsonFile.ReadObject(path);
        var ex = Assert.Throws<ModelFormatException>(() => JsonFile.Int(path, obj, "hidden_size"));
        Assert.Contains(path, ex.Message);
        Assert.Contains("'hidden_size'", ex.Message);
    }

    [Fact]
    public void AbsentOrNullIsNullAndAWholeNumberReads()
    {
        string path = Write("{\"hidden_size\": 384, \"max_position_embeddings\": null, \"width\": 512.0}");
        var obj = JsonFile.ReadObject(path);
        Assert.Equal(384, JsonFile.Int(path, obj, "hidden_size"));
        Assert.Equal(512, JsonFile.Int(path, obj, "width"));
        Assert.Null(JsonFile.Int(path, obj, "max_position_embeddings"));
        Assert.Null(JsonFile.Int(path, obj, "vocab_size"));
        Assert.Null(JsonFile.Int(path, (JsonObject?)null, "vocab_size"));
        Assert.Null(JsonFile.ReadObject(Path.Combine(_dir, "missing.json")));
    }

    [Fact]
    public void ALongIsExactAFractionIsAnErrorAndHuggingFacesNoLimitIsTheMaximum()
    {
        string path = Write("{\"a\": 512, \"b\": 1e30, \"c\": 2.5, \"d\": -1e30}");
        using var doc = JsonFile.ParseObject(path);
        var root = doc.RootElement;
        Assert.Equal(512, JsonFile.Long(root, "a", path, "a"));
        Assert.Equal(long.MaxValue, JsonFile.Long(root, "b", path, "b"));
        Assert.Contains("field 'c'", Assert.Throws<ModelFormatException>(() => JsonFile.Long(root, "c", path, "c")).Message);
        Assert.Contains("field 'd'", Assert.Throws<ModelFormatException>(() => JsonFile.Long(root, "d", path, "d")).Message);
    }

    [Theory]
    [InlineData("{\"a\": 1,,}")]
    [InlineData("[1, 2]")]
    public void BadJsonOrANonObjectNamesTheFile(string json)
    {
        string path = Write(json);
        var ex = Assert.Throws<ModelFormatException>(() => JsonFile.ReadObject(path));
        Assert.Contains(path, ex.Message);
    }
}
