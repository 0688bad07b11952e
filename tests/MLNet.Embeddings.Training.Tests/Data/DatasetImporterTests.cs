using MLNet.Embeddings.Training.Data;
using MLNet.Embeddings.Data;

namespace MLNet.Embeddings.Training.Tests.Data;

public class DatasetImporterTests
{
    [Fact]
    public void ImportsFinancialQaSkippingEmptyRowsByLine()
    {
        using var d = new TempDir();
        var output = d.File("fin.jsonl");
        var report = DatasetImporter.Import(SharedData.Path("financial-qa-10k/Financial-QA-10k.csv"), output, new ImportOptions
        {
            QueryColumn = "question", PosColumns = ["answer"], Prompt = "Represent this question: ", Type = "qa", KeepColumns = ["ticker"],
        });
        Assert.Equal(7000, report.RowsRead);
        Assert.Equal(3, report.RowsSkipped);
        Assert.Equal([1729, 1735, 2733], report.Skipped.Select(p => p.Line).ToArray());
        Assert.Equal(6997, report.RowsWritten);
        var rows = TrainingDataReader.Read(output).ToList();
        Assert.Equal(6997, rows.Count);
        Assert.StartsWith("What area did NVIDIA", rows[0].Query);
        Assert.Equal(["NVIDIA initially focused on PC graphics."], rows[0].Pos);
        Assert.Equal("qa", rows[0].Type);
        Assert.Equal("Represent this question: ", rows[0].Prompt);
        Assert.Equal("NVDA", rows[0].Extra!["ticker"].GetString());
    }

    [Fact]
    public void ContextColumnAsPositiveSkipsOnlyRowsEmptyInMappedColumns()
    {
        using var d = new TempDir();
        var report = DatasetImporter.Import(SharedData.Path("financial-qa-10k/Financial-QA-10k.csv"), d.File("o.jsonl"),
            new ImportOptions { QueryColumn = "question", PosColumns = ["context"] });
        Assert.Equal([1735, 2733], report.Skipped.Select(p => p.Line).ToArray());
        Assert.Equal("question", report.Skipped[0].Field);
    }

    [Fact]
    public void ImportsJsonlAndTsvWithNegativeColumn()
    {
        using var d = new TempDir();
        var j = d.File("in.jsonl", "{\"q\":\"a\",\"ctx\":[\"p1\",\"p2\"],\"bad\":\"n\"}\n{\"q\":\"b\",\"ctx\":\"\"}\nnot json\n");
        var rep = new ImportReport();
        var rows = DatasetImporter.ReadRows(j, new ImportOptions { QueryColumn = "q", PosColumns = ["ctx"], NegColumns = ["bad"] }, rep).ToList();
        Assert.Single(rows);
        Assert.Equal(["p1", "p2"], rows[0].Pos);
        Assert.Equal(["n"], rows[0].Neg);
        Assert.Equal([2, 3], rep.Skipped.Select(p => p.Line).ToArray());

        var t = d.File("in.tsv", "question\tanswer\tneg\nq1\t\"a1\tx\nq2\ta2\t\n");
        var rep2 = new ImportReport();
        var trows = DatasetImporter.ReadRows(t, new ImportOptions { QueryColumn = "question", PosColumns = ["answer"], NegColumns = ["neg"] }, rep2).ToList();
        Assert.Equal(2, trows.Count);
        Assert.Equal(["\"a1"], trows[0].Pos);
        Assert.Equal(["x"], trows[0].Neg);
        Assert.Empty(trows[1].Neg);
    }

    [Fact]
    public void UnknownColumnNamesTheColumnAndHeader()
    {
        using var d = new TempDir();
        var c = d.File("in.csv", "a,b\n1,2\n");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetImporter.Import(c, d.File("o.jsonl"), new ImportOptions { QueryColumn = "a", PosColumns = ["zzz"] }));
        Assert.Equal("zzz", ex.Field);
        Assert.Contains("a, b", ex.Message);
        Assert.False(File.Exists(Path.Combine(d.Path, "o.jsonl")));
    }

    [Fact]
    public void CsvQuoteErrorNamesFileAndLineOnce()
    {
        using var d = new TempDir();
        var c = d.File("bad.csv", "anchor,positive\n\"open,x\n");
        var ex = Assert.Throws<DatasetFormatException>(() => DatasetImporter.Import(c, d.File("o.jsonl"), new ImportOptions { QueryColumn = "anchor", PosColumns = ["positive"] }));
        Assert.Equal(2, ex.Line);
        Assert.Equal($"{c}:2: quoted field not closed before the end of the file", ex.Message);
        Assert.IsType<CsvFormatException>(ex.InnerException);
    }
}
