using System.Text.RegularExpressions;

namespace MLNet.Embeddings.Tokenization.Bpe;

/// <summary>
/// GPT-2's byte-level alphabet and split pattern (HF <c>ByteLevel</c> pre-tokenizer): text is cut with the GPT-2
/// regex, each piece's UTF-8 bytes are written as printable characters (space → <c>Ġ</c>, newline → <c>Ċ</c> …),
/// so every input has a spelling in a 256-symbol alphabet and nothing is unknown.
/// </summary>
internal static partial class ByteLevel
{
    /// <summary>Byte → its printable character.</summary>
    public static readonly char[] ByteToChar = BuildByteToChar();

    /// <summary>GPT-2's split pattern (contractions, letters, numbers, other, whitespace).</summary>
    [GeneratedRegex(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    public static partial Regex Pattern();

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var direct = new bool[256];
        for (int b = '!'; b <= '~'; b++) direct[b] = true;
        for (int b = 0xA1; b <= 0xAC; b++) direct[b] = true;
        for (int b = 0xAE; b <= 0xFF; b++) direct[b] = true;
        int n = 0;
        for (int b = 0; b < 256; b++) map[b] = direct[b] ? (char)b : (char)(256 + n++);
        return map;
    }
}
