using System.Text;

namespace MLNet.Embeddings.Data;

/// <summary>
/// Streaming RFC 4180 reader for CSV / TSV: one record at a time, so memory stays flat whatever the file size.
/// Handles quoted fields, doubled quotes (<c>""</c>) inside them, delimiters and line breaks inside quotes,
/// CRLF / LF / CR line ends and a UTF-8 byte-order mark. With <c>quoting: false</c> (plain TSV such as the STS
/// benchmark) quotes are ordinary characters and a record is exactly one line.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private readonly TextReader _reader;
    private readonly char _delimiter;
    private readonly bool _quoting;
    private readonly StringBuilder _field = new();
    private int _line = 1;          // line of the next character
    private bool _eof;

    /// <summary>Reads records from <paramref name="reader"/>.</summary>
    /// <param name="reader">The text (a StreamReader strips a BOM; a leading U+FEFF is skipped as well).</param>
    /// <param name="delimiter">Field separator: ',' for CSV, '\t' for TSV.</param>
    /// <param name="quoting">Whether '"' starts a quoted field (RFC 4180). False for quote-less TSV.</param>
    public CsvRecordReader(TextReader reader, char delimiter = ',', bool quoting = true)
    {
        _reader = reader; _delimiter = delimiter; _quoting = quoting;
        if (_reader.Peek() == '\uFEFF') _reader.Read();
    }

    /// <summary>1-based line on which the last record returned by <see cref="Read"/> started.</summary>
    public int RecordLine { get; private set; }

    /// <summary>Reads the next record into <paramref name="fields"/> (cleared first); false at the end of the input.</summary>
    /// <exception cref="CsvFormatException">A quoted field is not closed before the end of the input, or a quote is followed by text.</exception>
    public bool Read(List<string> fields)
    {
        fields.Clear();
        if (_eof) return false;
        RecordLine = _line;
        int c = _reader.Read();
        if (c < 0) { _eof = true; return false; }
        _field.Clear();
        while (true)
        {
            if (c < 0) { fields.Add(_field.ToString()); _eof = true; return true; }
            char ch = (char)c;
            if (_quoting && ch == '"' && _field.Length == 0 && !_inFieldText)
            {
                ReadQuoted();
                c = _reader.Read();
                if (c >= 0 && c != _delimiter && c != '\n' && c != '\r')
                    throw new CsvFormatException(_line, $"unexpected character '{(char)c}' after a closing quote (expected the delimiter or a line end)");
                _inFieldText = true;   // field had a quoted part
                continue;
            }
            if (ch == _delimiter)
            {
                fields.Add(_field.ToString()); _field.Clear(); _inFieldText = false;
                c = _reader.Read();
                continue;
            }
            if (ch == '\r' || ch == '\n')
            {
                if (ch == '\r' && _reader.Peek() == '\n') _reader.Read();
                _line++;
                fields.Add(_field.ToString()); _field.Clear(); _inFieldText = false;
                return true;
            }
            _field.Append(ch); _inFieldText = true;
            c = _reader.Read();
        }
    }

    private bool _inFieldText;

    private void ReadQuoted()
    {
        int startLine = _line;
        while (true)
        {
            int c = _reader.Read();
            if (c < 0) throw new CsvFormatException(startLine, "quoted field not closed before the end of the file");
            char ch = (char)c;
            if (ch == '"')
            {
                if (_reader.Peek() == '"') { _reader.Read(); _field.Append('"'); continue; }
                return;
            }
            if (ch == '\r')
            {
                _field.Append('\r');
                if (_reader.Peek() == '\n') _field.Append((char)_reader.Read());
                _line++;
                continue;
            }
            if (ch == '\n') _line++;
            _field.Append(ch);
        }
    }

    /// <summary>Disposes the underlying reader.</summary>
    public void Dispose() => _reader.Dispose();
}
