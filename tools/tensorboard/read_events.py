"""Independent reader of TensorBoard event files, written from the formats' specifications (no tensorflow or
tensorboard package): TFRecord framing (uint64 length, masked CRC32C of the length bytes, data, masked CRC32C of
the data) and the tensorflow.Event protobuf (wall_time=1 double, step=2 int64, file_version=3 string, summary=5 with
repeated Value=1 {tag=1 string, simple_value=2 float}). Every CRC is checked; a bad one exits with status 2.
Prints JSON: {"file_version": ..., "records": N, "scalars": [{"step", "tag", "value", "wall_time"}]}.
Run: python3 tools/tensorboard/read_events.py EVENTS_FILE"""
import json, struct, sys

POLY = 0x82F63B78  # CRC32C (Castagnoli), reflected
TABLE = []
for i in range(256):
    c = i
    for _ in range(8):
        c = (c >> 1) ^ POLY if c & 1 else c >> 1
    TABLE.append(c)


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def masked(data):
    c = crc32c(data)
    return (((c >> 15) | (c << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def varint(buf, i):
    shift = result = 0
    while True:
        b = buf[i]; i += 1
        result |= (b & 0x7F) << shift
        if not b & 0x80:
            return result, i
        shift += 7


def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        num, wire = key >> 3, key & 7
        if wire == 0:
            v, i = varint(buf, i)
        elif wire == 1:
            v = buf[i:i + 8]; i += 8
        elif wire == 2:
            n, i = varint(buf, i)
            v = buf[i:i + n]; i += n
        elif wire == 5:
            v = buf[i:i + 4]; i += 4
        else:
            raise ValueError(f"unsupported wire type {wire}")
        yield num, wire, v


def main(path):
    data = open(path, "rb").read()
    i, out = 0, {"file_version": None, "records": 0, "scalars": []}
    while i < len(data):
        header = data[i:i + 8]
        (length,) = struct.unpack("<Q", header)
        (hcrc,) = struct.unpack("<I", data[i + 8:i + 12])
        if hcrc != masked(header):
            print(f"bad length CRC at offset {i}", file=sys.stderr); sys.exit(2)
        rec = data[i + 12:i + 12 + length]
        (dcrc,) = struct.unpack("<I", data[i + 12 + length:i + 16 + length])
        if len(rec) != length or dcrc != masked(rec):
            print(f"bad data CRC at offset {i}", file=sys.stderr); sys.exit(2)
        i += 16 + length
        out["records"] += 1
        wall, step, summary = None, 0, None
        for num, wire, v in fields(rec):
            if num == 1 and wire == 1:
                (wall,) = struct.unpack("<d", v)
            elif num == 2 and wire == 0:
                step = v
            elif num == 3 and wire == 2:
                out["file_version"] = v.decode("utf-8")
            elif num == 5 and wire == 2:
                summary = v
        if summary is not None:
            for num, wire, v in fields(summary):
                if num != 1 or wire != 2:
                    continue
                tag, value = None, None
                for n2, w2, v2 in fields(v):
                    if n2 == 1 and w2 == 2:
                        tag = v2.decode("utf-8")
                    elif n2 == 2 and w2 == 5:
                        (value,) = struct.unpack("<f", v2)
                out["scalars"].append({"step": step, "tag": tag, "value": value, "wall_time": wall})
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
