namespace MLNet.Embeddings.Training.Data.Generation;

/// <summary>
/// The writing system a text is mostly written in, from its letters' Unicode blocks: the language check of
/// <see cref="DataGenerator"/>. Script-based, not a language identifier: it tells Chinese from English or Russian, but
/// not English from French (both Latin). Han characters count twice (one character is roughly one word).
/// </summary>
internal static class TextScript
{
    public static string Of(string text)
    {
        Span<int> counts = stackalloc int[9];
        foreach (char c in text)
        {
            int s = Classify(c);
            if (s >= 0) counts[s] += s == 1 ? 2 : 1;
        }
        int best = -1, max = 0;
        for (int i = 0; i < counts.Length; i++) if (counts[i] > max) { max = counts[i]; best = i; }
        if (best < 0) return "none";
        // Japanese mixes Han and kana: any real share of kana makes it Japanese.
        if (best == 1 && counts[2] > 0 && counts[2] * 10 >= counts[1]) best = 2;
        return Names[best];
    }

    /// <summary>Words for the prompt's <c>{{language}}</c>: the language a script implies, else "the language of the text".</summary>
    public static string LanguageHint(string script) => script switch
    {
        "han" => "Chinese (the passage's language)",
        "kana" => "Japanese (the passage's language)",
        "hangul" => "Korean (the passage's language)",
        _ => "the same language as the passage",
    };

    static readonly string[] Names = ["latin", "han", "kana", "hangul", "cyrillic", "arabic", "greek", "hebrew", "devanagari"];

    static int Classify(char c)
    {
        if (!char.IsLetter(c)) return -1;
        if (c < 0x250 || (c >= 0x1E00 && c <= 0x1EFF)) return 0;
        if ((c >= 0x4E00 && c <= 0x9FFF) || (c >= 0x3400 && c <= 0x4DBF) || (c >= 0xF900 && c <= 0xFAFF)) return 1;
        if ((c >= 0x3040 && c <= 0x30FF) || (c >= 0x31F0 && c <= 0x31FF)) return 2;
        if ((c >= 0xAC00 && c <= 0xD7AF) || (c >= 0x1100 && c <= 0x11FF) || (c >= 0x3130 && c <= 0x318F)) return 3;
        if (c >= 0x400 && c <= 0x52F) return 4;
        if (c >= 0x600 && c <= 0x6FF) return 5;
        if (c >= 0x370 && c <= 0x3FF) return 6;
        if (c >= 0x590 && c <= 0x5FF) return 7;
        if (c >= 0x900 && c <= 0x97F) return 8;
        return -1;
    }
}
