using System.Text;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Tests.Data;

/// <summary>The one JSON Lines reader: rows, blank lines, byte-order mark, and its one error format.</summary>
public sealed class JsonLinesReaderTests : IDisposable
{
    readonly string _dir = Directory.CreateTempSubdirectory("jsonl-reader-").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    string Write(string content, bool bom = false)
    {
        string path = Path.Combine(_dir, "rows.jsonl");
        File.WriteAllBytes(path, [.. (bom ? new byte[] { 0xEF, 0xBB, 0xBF } : []), .. Encoding.UTF8.GetBytes(content)]);
        return path;
    }

    [Fact]
    public void BlankLinesAreSkippedAndLineNumbersCountThem()
    {
        string path = Write("{\"text\": \"a\"}\n\n   \n{\"text\": \"b\"}\r\n\t\n{\"text\": \"c\"}\n");
        var rows = JsonLinesReader.Read(path).Select(r => (r.Number, r.String("text"))).ToList();
        Assert.Equal([(1, "a"), (4, "b"), (6, "c")], rows);
    }

    [Fact]
    public void AByteOrderMarkIsNotPartOfTheFirstRow()
    {
        string path = Write("{\"text\": \"first\"}\n{\"text\": \"second\"}\n", bom: true);
        Assert.Equal(["first", "second"], JsonLinesReader.Read(path).Select(r => r.String("text")).ToArray());
        Assert.Equal("first", JsonLinesReader.First(path, r => r.String("text")));
    }

    [Fact]
    public void InvalidJsonNamesFileLineAndColumn()
    {
        string path = Write("{\"text\": \"a\"}\n\n{\"text\": x}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).ToList());
        Assert.Equal(3, ex.Line);
        Assert.Null(ex.Field);
        Assert.StartsWith($"{path}:3: column 10: invalid JSON: 'x' is an invalid start of a value", ex.Message);
        Assert.DoesNotContain("LineNumber", ex.Message);
        Assert.DoesNotContain("BytePositionInLine", ex.Message);
    }

    [Fact]
    public void NaNGetsAHint()
    {
        string path = Write("{\"score\": NaN}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).ToList());
        Assert.StartsWith($"{path}:1: column 11: invalid JSON:", ex.Message);
        Assert.EndsWith("(NaN / Infinity are not valid JSON numbers)", ex.Message);
    }

    [Theory]
    [InlineData("[\"a\"]", "an array")]
    [InlineData("\"a\"", "a string")]
    [InlineData("5", "a number")]
    [InlineData("null", "null")]
    public void ARowThatIsNotAnObjectSaysWhatItIs(string line, string kind)
    {
        string path = Write("{\"text\": \"a\"}\n" + line + "\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).ToList());
        Assert.Equal($"{path}:2: expected a JSON object, found {kind}.", ex.Message);
    }

    [Fact]
    public void MissingFieldNamesFileLineAndField()
    {
        string path = Write("{\"text\": \"a\"}\n{\"query\": \"b\"}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).Select(r => r.String("text", "field is missing (use --text-column).")).ToList());
        Assert.Equal($"{path}:2: field 'text': field is missing (use --text-column).", ex.Message);
        Assert.Equal(("text", 2), (ex.Field, ex.Line));
    }

    [Theory]
    [InlineData("5", "a number")]
    [InlineData("[\"a\"]", "an array")]
    [InlineData("{}", "an object")]
    [InlineData("true", "a boolean")]
    [InlineData("null", "null")]
    public void WrongFieldTypeNamesTheFieldAndWhatWasFound(string value, string kind)
    {
        string path = Write("{\"text\": " + value + "}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).Select(r => r.String("text")).ToList());
        Assert.Equal($"{path}:1: field 'text': expected a string, found {kind}.", ex.Message);
    }

    [Fact]
    public void ALoneSurrogateIsAFieldErrorNotACrash()
    {
        string path = Write("{\"text\": \"ok\\ud800x\"}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => JsonLinesReader.Read(path).Select(r => r.String("text")).ToList());
        Assert.StartsWith($"{path}:1: field 'text': not valid Unicode text", ex.Message);
    }

    [Fact]
    public void FieldsListsTheRowsFieldNames()
    {
        string path = Write("{\"query\": \"a\", \"pos\": [\"b\"]}\n");
        Assert.Equal("query, pos", JsonLinesReader.First(path, r => r.Fields));
    }

    [Fact]
    public void ParseReportsWithoutThrowing()
    {
        Assert.Null(JsonLinesReader.Parse("{\"a\": ", out string? error));
        Assert.Matches(@"^column \d+: invalid JSON: ", error);
        using var doc = JsonLinesReader.Parse("{\"a\": 1}", out error);
        Assert.NotNull(doc);
        Assert.Null(error);
    }
}
