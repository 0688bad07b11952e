using System.Globalization;
using System.Runtime.InteropServices;

namespace MLNet.Embeddings.OnnxRuntime.Export;

/// <summary>
/// A small ONNX graph builder: typed inputs/outputs with symbolic dimensions, initializers, nodes with attributes,
/// and a writer for ModelProto (field numbers from onnx.proto). Tensor data goes into the .onnx file, or into an
/// external data file (<c>&lt;file&gt;_data</c>) when asked or when the model would pass protobuf's 2 GB limit.
/// </summary>
internal sealed class OnnxGraph
{
    // onnx.proto TensorProto.DataType
    public const int Float = 1, UInt8 = 2, Int8 = 3, Int32 = 6, Int64 = 7;

    sealed record Initializer(string Name, int DataType, long[] Dims, Array Data, int ElementSize)
    {
        public long ByteLength => Data.LongLength * ElementSize;
    }

    readonly List<ProtoMessage> _nodes = new();
    readonly List<Initializer> _initializers = new();
    readonly List<(string Name, int Type, object[] Dims)> _inputs = new(), _outputs = new();
    readonly Dictionary<string, string> _constants = new();
    readonly HashSet<string> _names = new(StringComparer.Ordinal);
    int _counter;

    public OnnxGraph(int opset) { Opset = opset; }

    public int Opset { get; }

    /// <summary>Total bytes of initializer data.</summary>
    public long InitializerBytes => _initializers.Sum(i => i.ByteLength);

    public string Input(string name, int type, params object[] dims) { Claim(name); _inputs.Add((name, type, dims)); return name; }

    /// <summary>Declares a graph output; renames <paramref name="value"/> to <paramref name="name"/> with an Identity node when they differ.</summary>
    public void Output(string value, string name, int type, params object[] dims)
    {
        if (value != name) { Claim(name); AddNode("Identity", [value], [name]); }
        _outputs.Add((name, type, dims));
    }

    public string Init(string name, float[] data, params long[] dims) => AddInit(name, Float, data, 4, dims);
    public string InitInt8(string name, sbyte[] data, params long[] dims) => AddInit(name, Int8, data, 1, dims);
    public string InitUInt8(string name, byte[] data, params long[] dims) => AddInit(name, UInt8, data, 1, dims);

    string AddInit(string name, int type, Array data, int size, long[] dims, bool claimed = false)
    {
        long n = 1; foreach (var d in dims) n *= d;
        if (n != data.LongLength) throw new ArgumentException($"initializer {name}: dims [{string.Join(",", dims)}] need {n} values, found {data.LongLength}.");
        if (!claimed) Claim(name);
        _initializers.Add(new Initializer(name, type, dims, data, size));
        return name;
    }

    /// <summary>A float scalar constant (shared between uses).</summary>
    public string Scalar(float value)
    {
        string key = "f:" + value.ToString("R", CultureInfo.InvariantCulture);
        if (!_constants.TryGetValue(key, out var name))
            _constants[key] = name = AddInit(Fresh("const_f"), Float, new[] { value }, 4, [], claimed: true);
        return name;
    }

    /// <summary>An int64 constant: a scalar when <paramref name="scalar"/>, else a 1-D tensor.</summary>
    public string Longs(bool scalar, params long[] values)
    {
        string key = (scalar ? "s:" : "v:") + string.Join(",", values);
        if (!_constants.TryGetValue(key, out var name))
            _constants[key] = name = AddInit(Fresh("const_i"), Int64, values, 8, scalar ? [] : [values.Length], claimed: true);
        return name;
    }

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string op, string[] inputs, params (string Name, object Value)[] attributes)
        => Node(op, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputs"/> outputs and returns their names.</summary>
    public string[] Node(string op, string[] inputs, int outputs, params (string Name, object Value)[] attributes)
    {
        var names = Enumerable.Range(0, outputs).Select(_ => Fresh(op)).ToArray();
        AddNode(op, inputs, names, attributes);
        return names;
    }

    void AddNode(string op, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes)
    {
        // NodeProto: input=1, output=2, name=3, op_type=4, attribute=5
        var node = new ProtoMessage();
        foreach (var i in inputs) node.String(1, i);
        foreach (var o in outputs) node.String(2, o);
        node.String(3, outputs[0] + "_node").String(4, op);
        foreach (var (name, value) in attributes) node.Message(5, Attribute(name, value));
        _nodes.Add(node);
    }

    static ProtoMessage Attribute(string name, object value)
    {
        // AttributeProto: name=1, f=2, i=3, s=4, floats=7, ints=8, type=20 (FLOAT=1, INT=2, STRING=3, FLOATS=6, INTS=7)
        var a = new ProtoMessage().String(1, name);
        switch (value)
        {
            case int i: a.Int64(3, i).Int64(20, 2); break;
            case long l: a.Int64(3, l).Int64(20, 2); break;
            case float f: a.Float(2, f).Int64(20, 1); break;
            case string s: a.String(4, s).Int64(20, 3); break;
            case long[] ls: foreach (var l in ls) a.Int64(8, l); a.Int64(20, 7); break;
            case int[] ints: foreach (var l in ints) a.Int64(8, l); a.Int64(20, 7); break;
            default: throw new ArgumentException($"attribute {name}: unsupported value type {value.GetType()}.");
        }
        return a;
    }

    string Fresh(string prefix)
    {
        string name;
        do name = $"{prefix}_{_counter++}"; while (!_names.Add(name));
        return name;
    }

    void Claim(string name)
    {
        if (!_names.Add(name)) throw new ArgumentException($"duplicate value name '{name}'.");
    }

    /// <summary>
    /// Writes the model to <paramref name="path"/> atomically. With <paramref name="externalData"/>, initializers
    /// of 1 KiB and more go to <c>&lt;file name&gt;_data</c> beside it (4 KiB-aligned offsets).
    /// </summary>
    public void Save(string path, bool externalData, string producerVersion, IReadOnlyDictionary<string, string> metadata, string docString)
    {
        if (!BitConverter.IsLittleEndian) throw new PlatformNotSupportedException("ONNX raw tensor data is little-endian; export needs a little-endian machine.");
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        string dataName = Path.GetFileName(full) + "_data";
        string dataPath = Path.Combine(dir, dataName), dataTmp = dataPath + ".tmp", tmp = full + ".tmp";

        var graph = new ProtoMessage();
        foreach (var n in _nodes) graph.Message(1, n);          // GraphProto.node = 1
        graph.String(2, "main_graph");                           // name = 2
        FileStream? data = externalData ? new FileStream(dataTmp, FileMode.Create, FileAccess.Write) : null;
        try
        {
            foreach (var init in _initializers) graph.Message(5, Tensor(init, data, dataName)); // initializer = 5
            foreach (var (name, type, dims) in _inputs) graph.Message(11, ValueInfo(name, type, dims));  // input = 11
            foreach (var (name, type, dims) in _outputs) graph.Message(12, ValueInfo(name, type, dims)); // output = 12
            data?.Flush();
        }
        finally { data?.Dispose(); }

        // ModelProto: ir_version=1, producer_name=2, producer_version=3, doc_string=6, graph=7, opset_import=8, metadata_props=14
        var model = new ProtoMessage()
            .Int64(1, Opset >= 19 ? 9 : 8)
            .String(2, "MLNet.Embeddings")
            .String(3, producerVersion)
            .String(6, docString)
            .Message(7, graph)
            .Message(8, new ProtoMessage().String(1, "").Int64(2, Opset)); // OperatorSetIdProto: domain=1, version=2
        foreach (var (k, v) in metadata) model.Message(14, new ProtoMessage().String(1, k).String(2, v)); // StringStringEntryProto
        using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            model.WriteTo(stream);
        if (externalData) File.Move(dataTmp, dataPath, overwrite: true);
        else if (File.Exists(dataPath)) File.Delete(dataPath);
        File.Move(tmp, full, overwrite: true);
    }

    static ProtoMessage Tensor(Initializer init, FileStream? data, string dataName)
    {
        // TensorProto: dims=1, data_type=2, name=8, raw_data=9, external_data=13, data_location=14
        var t = new ProtoMessage();
        foreach (var d in init.Dims) t.Int64(1, d);
        t.Int64(2, init.DataType).String(8, init.Name);
        if (data is not null && init.ByteLength >= 1024)
        {
            long offset = (data.Position + 4095) / 4096 * 4096;
            if (offset > data.Position) data.Write(new byte[offset - data.Position]);
            WriteData(init.Data, data);
            t.Message(13, new ProtoMessage().String(1, "location").String(2, dataName))
             .Message(13, new ProtoMessage().String(1, "offset").String(2, offset.ToString(CultureInfo.InvariantCulture)))
             .Message(13, new ProtoMessage().String(1, "length").String(2, init.ByteLength.ToString(CultureInfo.InvariantCulture)))
             .Int64(14, 1);
        }
        else t.Bytes(9, init.ByteLength, s => WriteData(init.Data, s));
        return t;
    }

    static void WriteData(Array data, Stream s)
    {
        switch (data)
        {
            case float[] f: s.Write(MemoryMarshal.AsBytes(f.AsSpan())); break;
            case long[] l: s.Write(MemoryMarshal.AsBytes(l.AsSpan())); break;
            case sbyte[] sb: s.Write(MemoryMarshal.AsBytes(sb.AsSpan())); break;
            case byte[] b: s.Write(b); break;
            default: throw new ArgumentException($"unsupported initializer array {data.GetType()}.");
        }
    }

    static ProtoMessage ValueInfo(string name, int type, object[] dims)
    {
        // ValueInfoProto: name=1, type=2; TypeProto.tensor_type=1; Tensor: elem_type=1, shape=2;
        // TensorShapeProto.dim=1; Dimension: dim_value=1, dim_param=2
        var shape = new ProtoMessage();
        foreach (var d in dims)
            shape.Message(1, d is string p ? new ProtoMessage().String(2, p) : new ProtoMessage().Int64(1, Convert.ToInt64(d, CultureInfo.InvariantCulture)));
        var tensor = new ProtoMessage().Int64(1, type).Message(2, shape);
        return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensor));
    }
}
