namespace MLNet.Embeddings.OnnxRuntime.Import;

/// <summary>
/// Reads an ONNX file's ModelProto (field numbers from onnx.proto): opset, graph nodes with their attributes,
/// initializers (raw_data, float_data or int64_data) and the names of the graph's inputs and outputs.
/// Unknown fields are skipped. Tensor bytes stay views of the file buffer.
/// </summary>
internal static class OnnxModelReader
{
    /// <exception cref="ModelFormatException">The file is missing or is not a readable ONNX model.</exception>
    public static OnnxModel Read(string path)
    {
        if (!File.Exists(path)) throw new ModelFormatException(path, "ONNX file not found.");
        var bytes = File.ReadAllBytes(path);
        try { return Read(bytes); }
        catch (FormatException e) { throw new ModelFormatException(path, $"not a readable ONNX model: {e.Message}", e); }
    }

    public static OnnxModel Read(ReadOnlyMemory<byte> bytes)
    {
        var model = new OnnxModel();
        var r = new ProtoReader(bytes);
        bool sawGraph = false;
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 2 when wire == 2: model.Producer = r.String(); break;                  // producer_name
                case 7 when wire == 2: ReadGraph(r.Message(), model); sawGraph = true; break; // graph
                case 8 when wire == 2: ReadOpset(r.Message(), model); break;              // opset_import
                default: r.Skip(wire); break;
            }
        }
        if (!sawGraph) throw new FormatException("no graph (ModelProto field 7) found.");
        return model;
    }

    static void ReadOpset(ProtoReader r, OnnxModel model)
    {
        string domain = ""; long version = 0;
        while (r.Next(out int field, out int wire))
        {
            if (field == 1 && wire == 2) domain = r.String();
            else if (field == 2 && wire == 0) version = r.Int64();
            else r.Skip(wire);
        }
        if (domain is "" or "ai.onnx") model.Opset = version;
    }

    static void ReadGraph(ProtoReader r, OnnxModel model)
    {
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == 2: model.Nodes.Add(ReadNode(r.Message())); break;
                case 5 when wire == 2: { var t = ReadTensor(r.Message()); model.Initializers[t.Name] = t; break; }
                case 11 when wire == 2: model.Inputs.Add(ReadValueInfoName(r.Message())); break;
                case 12 when wire == 2: model.Outputs.Add(ReadValueInfoName(r.Message())); break;
                default: r.Skip(wire); break;
            }
        }
    }

    static string ReadValueInfoName(ProtoReader r)
    {
        string name = "";
        while (r.Next(out int field, out int wire))
            if (field == 1 && wire == 2) name = r.String(); else r.Skip(wire);
        return name;
    }

    static OnnxNode ReadNode(ProtoReader r)
    {
        var node = new OnnxNode();
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == 2: node.Inputs.Add(r.String()); break;
                case 2 when wire == 2: node.Outputs.Add(r.String()); break;
                case 3 when wire == 2: node.Name = r.String(); break;
                case 4 when wire == 2: node.OpType = r.String(); break;
                case 5 when wire == 2: { var a = ReadAttribute(r.Message()); node.Attributes[a.Name] = a; break; }
                default: r.Skip(wire); break;
            }
        }
        return node;
    }

    static OnnxAttribute ReadAttribute(ProtoReader r)
    {
        var a = new OnnxAttribute();
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire == 2: a.Name = r.String(); break;
                case 2 when wire == 5: a.F = r.Fixed32Float(); break;
                case 3 when wire == 0: a.I = r.Int64(); break;
                case 4 when wire == 2: a.S = r.String(); break;
                case 5 when wire == 2: a.T = ReadTensor(r.Message()); break;
                case 8 when wire is 0 or 2: r.Int64s(wire, a.Ints); break;
                default: r.Skip(wire); break;
            }
        }
        return a;
    }

    static OnnxTensor ReadTensor(ProtoReader r)
    {
        var t = new OnnxTensor();
        while (r.Next(out int field, out int wire))
        {
            switch (field)
            {
                case 1 when wire is 0 or 2: r.Int64s(wire, t.Dims); break;
                case 2 when wire == 0: t.DataType = (int)r.Int64(); break;
                case 4 when wire is 2 or 5: r.Floats(wire, t.FloatData); break;
                case 7 when wire is 0 or 2: r.Int64s(wire, t.Int64Data); break;
                case 8 when wire == 2: t.Name = r.String(); break;
                case 9 when wire == 2: t.Raw = r.Bytes(); break;
                case 13 when wire == 2: t.External = true; r.Skip(wire); break;   // external_data
                case 14 when wire == 0: if (r.Int64() == 1) t.External = true; break; // data_location EXTERNAL
                default: r.Skip(wire); break;
            }
        }
        return t;
    }
}
