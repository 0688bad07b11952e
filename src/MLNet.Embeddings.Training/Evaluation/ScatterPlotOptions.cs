namespace MLNet.Embeddings.Training.Evaluation;

/// <summary>Look of <see cref="ScatterPlot"/>.</summary>
public sealed class ScatterPlotOptions
{
    /// <summary>Width of the drawing (the viewBox), legend included. Default 900.</summary>
    public int Width { get; set; } = 900;
    /// <summary>Height of the drawing. Default 640.</summary>
    public int Height { get; set; } = 640;
    /// <summary>Title shown on top, or null.</summary>
    public string? Title { get; set; }
    /// <summary>Point radius. Default 3.5.</summary>
    public double PointRadius { get; set; } = 3.5;
    /// <summary>Point opacity. Default 0.8.</summary>
    public double Opacity { get; set; } = 0.8;
    /// <summary>
    /// Most legend entries shown; the rest are summarised in one "… and N more" line. Default 100. The legend uses
    /// 20 px rows while they fit the height, then smaller rows (down to 12 px), then more columns.
    /// </summary>
    public int MaxLegendEntries { get; set; } = 100;
}
