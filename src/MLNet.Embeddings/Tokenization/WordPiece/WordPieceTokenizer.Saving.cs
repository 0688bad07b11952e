using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MLNet.Embeddings.Models;

namespace MLNet.Embeddings.Tokenization.WordPiece;

public sealed partial class WordPieceTokenizer
{
    private static readonly JsonWriterOptions s_writerOptions = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Writes vocab.txt, tokenizer.json, tokenizer_config.json and special_tokens_map.json into <paramref name="folder"/>
    /// (each atomically). tokenizer.json is the loaded file unchanged when there was one, else it is generated
    /// in the Hugging Face format, so the folder reloads (here or in HF) to the same ids.
    /// </summary>
    public void Save(string folder)
    {
        Directory.CreateDirectory(folder);
        var vocab = new StringBuilder();
        for (int id = 0; id < VocabSize; id++)
            vocab.Append(IdToToken(id) ?? $"[unused_gap_{id}]").Append('\n');
        JsonFile.AtomicWrite(Path.Combine(folder, "vocab.txt"), vocab.ToString());
        JsonFile.AtomicWrite(Path.Combine(folder, "tokenizer.json"), _tokenizerJson ?? TokenizerJson());
        JsonFile.AtomicWrite(Path.Combine(folder, "tokenizer_config.json"), Json(w =>
        {
            w.WriteBoolean("do_lower_case", Options.Lowercase);
            if (Options.StripAccents is { } sa) w.WriteBoolean("strip_accents", sa); else w.WriteNull("strip_accents");
            w.WriteBoolean("tokenize_chinese_chars", Options.HandleChineseChars);
            WriteSpecialTokens(w);
            if (Options.ModelMaxLength is { } max) w.WriteNumber("model_max_length", max);
            w.WriteBoolean("clean_up_tokenization_spaces", true);
            w.WriteString("tokenizer_class", "BertTokenizer");
        }));
        JsonFile.AtomicWrite(Path.Combine(folder, "special_tokens_map.json"), Json(WriteSpecialTokens));
    }

    private void WriteSpecialTokens(Utf8JsonWriter w)
    {
        w.WriteString("cls_token", Options.ClsToken);
        w.WriteString("mask_token", Options.MaskToken);
        w.WriteString("pad_token", Options.PadToken);
        w.WriteString("sep_token", Options.SepToken);
        w.WriteString("unk_token", Options.UnkToken);
        if (Options.AdditionalSpecialTokens.Count > 0)
        {
            w.WriteStartArray("additional_special_tokens");
            foreach (var t in Options.AdditionalSpecialTokens) w.WriteStringValue(t);
            w.WriteEndArray();
        }
    }

    /// <summary>The HF tokenizer.json of this tokenizer (vocab.txt-style pipeline).</summary>
    private string TokenizerJson() => Json(w =>
    {
        w.WriteString("version", "1.0");
        w.WriteNull("truncation");
        w.WriteNull("padding");
        w.WriteStartArray("added_tokens");
        foreach (var t in AddedTokens.OrderBy(t => t.Id))
        {
            w.WriteStartObject();
            w.WriteNumber("id", t.Id);
            w.WriteString("content", t.Content);
            w.WriteBoolean("single_word", t.SingleWord);
            w.WriteBoolean("lstrip", t.LStrip);
            w.WriteBoolean("rstrip", t.RStrip);
            w.WriteBoolean("normalized", t.Normalized);
            w.WriteBoolean("special", t.Special);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteStartObject("normalizer");
        w.WriteString("type", "BertNormalizer");
        w.WriteBoolean("clean_text", Options.CleanText);
        w.WriteBoolean("handle_chinese_chars", Options.HandleChineseChars);
        if (Options.StripAccents is { } sa) w.WriteBoolean("strip_accents", sa); else w.WriteNull("strip_accents");
        w.WriteBoolean("lowercase", Options.Lowercase);
        w.WriteEndObject();
        w.WriteStartObject("pre_tokenizer");
        w.WriteString("type", "BertPreTokenizer");
        w.WriteEndObject();
        w.WriteStartObject("post_processor");
        w.WriteString("type", "TemplateProcessing");
        w.WriteStartArray("single");
        WriteTemplatePiece(w, "SpecialToken", Options.ClsToken);
        WriteTemplatePiece(w, "Sequence", "A");
        WriteTemplatePiece(w, "SpecialToken", Options.SepToken);
        w.WriteEndArray();
        w.WriteStartArray("pair");
        WriteTemplatePiece(w, "SpecialToken", Options.ClsToken);
        WriteTemplatePiece(w, "Sequence", "A");
        WriteTemplatePiece(w, "SpecialToken", Options.SepToken);
        WriteTemplatePiece(w, "Sequence", "B", 1);
        WriteTemplatePiece(w, "SpecialToken", Options.SepToken, 1);
        w.WriteEndArray();
        w.WriteStartObject("special_tokens");
        foreach (var (token, id) in new[] { (Options.ClsToken, _template.PrefixIds[0]), (Options.SepToken, _template.SuffixIds[0]) })
        {
            w.WriteStartObject(token);
            w.WriteString("id", token);
            w.WriteStartArray("ids"); w.WriteNumberValue(id); w.WriteEndArray();
            w.WriteStartArray("tokens"); w.WriteStringValue(token); w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("decoder");
        w.WriteString("type", "WordPiece");
        w.WriteString("prefix", Options.ContinuingSubwordPrefix);
        w.WriteBoolean("cleanup", true);
        w.WriteEndObject();
        w.WriteStartObject("model");
        w.WriteString("type", "WordPiece");
        w.WriteString("unk_token", Options.UnkToken);
        w.WriteString("continuing_subword_prefix", Options.ContinuingSubwordPrefix);
        w.WriteNumber("max_input_chars_per_word", Options.MaxInputCharsPerWord);
        w.WriteStartObject("vocab");
        foreach (var (token, id) in _model.Vocab.OrderBy(kv => kv.Value)) w.WriteNumber(token, id);
        w.WriteEndObject();
        w.WriteEndObject();
    });

    private static void WriteTemplatePiece(Utf8JsonWriter w, string kind, string id, int typeId = 0)
    {
        w.WriteStartObject();
        w.WriteStartObject(kind);
        w.WriteString("id", id);
        w.WriteNumber("type_id", typeId);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, s_writerOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
