using MLNet.Embeddings.Training.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class TrainingDataReaderTests
{
    [Fact]
    public void MessageHasNoLineZeroWhenTheProblemIsTheWholeFile()
    {
        Assert.Equal("data.jsonl: file not found", new DatasetFormatException("data.jsonl", 0, null, "file not found").Message);
        Assert.Equal("data.jsonl: field 'pos': bad", new DatasetFormatException("data.jsonl", 0, "pos", "bad").Message);
        Assert.Equal("data.jsonl:17: field 'pos': bad", new DatasetFormatException("data.jsonl", 17, "pos", "bad").Message);
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetValidator.Validate("/no/such/file.jsonl"));
        Assert.Equal("/no/such/file.jsonl: file not found", ex.Message);
    }

    [Fact]
    public void ReadsSeedsFormatAcceptingStringPosAndKeepingExtras()
    {
        using var d = new TempDir();
        var f = d.File("a.jsonl",
            "{\"query\":\"q1\",\"pos\":\"p1\",\"neg\":[\"n1\",\"n2\"],\"neg_scores\":[0.5,0.25],\"prompt\":\"Represent: \",\"type\":\"qa\",\"source\":{\"id\":7}}\n" +
            "\n" +
            "{\"query\":\"q2\",\"pos\":[\"p2\",\"p3\"],\"pos_scores\":[1,0.9]}\n");
        var rows = TrainingDataReader.Read(f).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal("q1", rows[0].Query);
        Assert.Equal(["p1"], rows[0].Pos);
        Assert.Equal(["n1", "n2"], rows[0].Neg);
        Assert.Equal([0.5f, 0.25f], rows[0].NegScores!);
        Assert.Null(rows[0].PosScores);
        Assert.Equal("Represent: ", rows[0].Prompt);
        Assert.Equal("qa", rows[0].Type);
        Assert.Equal(1, rows[0].Line);
        Assert.Equal(7, rows[0].Extra!["source"].GetProperty("id").GetInt32());
        Assert.Equal(3, rows[1].Line);
        Assert.Equal(["p2", "p3"], rows[1].Pos);
        Assert.Empty(rows[1].Neg);
        Assert.Null(rows[1].Extra);
    }

    [Fact]
    public void MapsPairsTripletsScoredPairsAndText()
    {
        using var d = new TempDir();
        var f = d.File("b.jsonl",
            "{\"anchor\":\"a\",\"positive\":\"p\"}\n" +
            "{\"anchor\":\"a\",\"positive\":\"p\",\"negative\":\"n\"}\n" +
            "{\"anchor\":\"a\",\"positive\":\"p\",\"negative_1\":\"n1\",\"negative_2\":\"n2\"}\n" +
            "{\"sentence1\":\"s1\",\"sentence2\":\"s2\",\"score\":4.2,\"label\":1}\n");
        var rows = TrainingDataReader.Read(f).ToList();
        Assert.Equal(["p"], rows[0].Pos);
        Assert.Empty(rows[0].Neg);
        Assert.Equal(["n"], rows[1].Neg);
        Assert.Equal(["n1", "n2"], rows[2].Neg);
        Assert.Equal("s1", rows[3].Query);
        Assert.Equal(["s2"], rows[3].Pos);
        Assert.Equal(4.2f, rows[3].Score);
        Assert.Equal(1, rows[3].Label);

        var t = d.File("c.txt", "first sentence\n\n  second one  \n");
        var simcse = TrainingDataReader.Read(t).ToList();
        Assert.Equal(2, simcse.Count);
        Assert.Equal("second one", simcse[1].Query);
        Assert.Equal(["second one"], simcse[1].Pos);
        Assert.Equal(3, simcse[1].Line);
    }

    [Theory]
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\"]", null)]                         // bad JSON
    [InlineData("[1,2]", null)]                                                     // not an object
    [InlineData("{\"text\":\"q\"}", "query")]                                       // no known field
    [InlineData("{\"query\":\"q\"}", "pos")]                                        // missing pos
    [InlineData("{\"query\":\"q\",\"pos\":[]}", "pos")]                             // empty pos
    [InlineData("{\"query\":5,\"pos\":[\"p\"]}", "query")]                          // wrong type
    [InlineData("{\"query\":\"\",\"pos\":[\"p\"]}", "query")]                       // empty text
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\",\"\"]}", "pos[1]")]                // empty text in list
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\"],\"neg\":[3]}", "neg[0]")]         // wrong item type
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[\"NaN\"]}", "pos_scores[0]")]
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[1e400]}", "pos_scores[0]")]
    [InlineData("{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[0.1,0.2]}", "pos_scores")]
    [InlineData("{\"anchor\":\"a\"}", "positive")]
    [InlineData("{\"sentence1\":\"a\",\"sentence2\":\"b\"}", "score")]
    [InlineData("{\"sentence1\":\"a\",\"sentence2\":\"b\",\"score\":1,\"label\":3}", "label")]
    public void MalformedRowNamesFileLineAndField(string bad, string? field)
    {
        using var d = new TempDir();
        var f = d.File("bad.jsonl", "{\"query\":\"ok\",\"pos\":[\"fine\"]}\n{\"query\":\"ok2\",\"pos\":\"fine\"}\n" + bad + "\n");
        var ex = Assert.Throws<DatasetFormatException>(() => TrainingDataReader.Read(f).ToList());
        Assert.Equal(3, ex.Line);
        Assert.Equal(field, ex.Field);
        Assert.Equal(f, ex.Path);
        Assert.Contains("bad.jsonl:3", ex.Message);
    }

    [Fact]
    public void BareNaNIsReportedAsInvalidJsonWithHint()
    {
        using var d = new TempDir();
        var f = d.File("nan.jsonl", "{\"query\":\"q\",\"pos\":[\"p\"],\"pos_scores\":[NaN]}\n");
        var ex = Assert.Throws<DatasetFormatException>(() => TrainingDataReader.Read(f).ToList());
        Assert.Equal(1, ex.Line);
        Assert.Contains("NaN", ex.Message);
    }

    [Fact]
    public void ReadsChineseSeedsFile()
    {
        var rows = TrainingDataReader.Read(SharedData.Path("zh/bge_finetune_data_zh.jsonl")).ToList();
        Assert.Equal(2701, rows.Count);
        Assert.All(rows, r => { Assert.NotEmpty(r.Pos); Assert.False(string.IsNullOrWhiteSpace(r.Query)); });
        Assert.Equal(2701, rows[^1].Line);
    }
}
