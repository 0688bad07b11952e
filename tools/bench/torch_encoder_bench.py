#!/usr/bin/python3
"""PyTorch CPU reference for the encoder benchmark: the same MiniLM-L6-shaped random BERT (hidden 384, 6 layers,
12 heads, FFN 1536, vocab 30522) in plain torch with HF BertModel math, float32, no_grad, batches padded to their
longest sequence (sentence-transformers sorts by length first, as we do here).

Usage: torch_encoder_bench.py --threads N --seconds S   → one JSON line per workload:
{"name", "sentences_per_s" (wall clock), "sentences_per_cpu_s" (per process CPU-second)}.
Workloads: fixed32 (256 sentences × 32 tokens), fixed128 (128 × 128), mixed (256 sentences, lengths 8..128).
"""
import argparse
import json
import math
import random
import time

import torch

H, LAYERS, HEADS, FFN, VOCAB, MAXPOS = 384, 6, 12, 1536, 30522, 512


def make_model(seed=0):
    g = torch.Generator().manual_seed(seed)
    n = lambda *s: torch.randn(*s, generator=g) * 0.02
    p = {"word": n(VOCAB, H), "pos": n(MAXPOS, H), "type": n(2, H), "eg": torch.ones(H), "eb": torch.zeros(H), "layers": []}
    for _ in range(LAYERS):
        p["layers"].append({
            "wq": n(H, H), "bq": torch.zeros(H), "wk": n(H, H), "bk": torch.zeros(H), "wv": n(H, H), "bv": torch.zeros(H),
            "wo": n(H, H), "bo": torch.zeros(H), "g1": torch.ones(H), "b1": torch.zeros(H),
            "wi": n(FFN, H), "bi": torch.zeros(FFN), "wf": n(H, FFN), "bf": torch.zeros(H), "g2": torch.ones(H), "b2": torch.zeros(H)})
    return p


def forward(p, ids, mask):
    B, L = ids.shape
    d = H // HEADS
    F = torch.nn.functional
    x = p["word"][ids] + p["type"][torch.zeros_like(ids)] + p["pos"][:L].unsqueeze(0)
    x = F.layer_norm(x, (H,), p["eg"], p["eb"], 1e-12)
    ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
    for l in p["layers"]:
        heads = lambda t: t.view(B, L, HEADS, d).permute(0, 2, 1, 3)
        q, k, v = heads(F.linear(x, l["wq"], l["bq"])), heads(F.linear(x, l["wk"], l["bk"])), heads(F.linear(x, l["wv"], l["bv"]))
        a = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d) + ext, dim=-1)
        ctx = (a @ v).permute(0, 2, 1, 3).reshape(B, L, H)
        x = F.layer_norm(F.linear(ctx, l["wo"], l["bo"]) + x, (H,), l["g1"], l["b1"], 1e-12)
        h = F.gelu(F.linear(x, l["wi"], l["bi"]))
        x = F.layer_norm(F.linear(h, l["wf"], l["bf"]) + x, (H,), l["g2"], l["b2"], 1e-12)
    return x


def workloads():
    r = random.Random(1)
    mixed = sorted([r.randint(8, 128) for _ in range(256)])
    return [("fixed32", [32] * 256), ("fixed128", [128] * 128), ("mixed", mixed)]


def make_batches(lengths, batch=32):
    r = random.Random(2)
    out = []
    for i in range(0, len(lengths), batch):
        chunk = lengths[i:i + batch]
        L = max(chunk)
        ids = torch.zeros(len(chunk), L, dtype=torch.long)
        mask = torch.zeros(len(chunk), L, dtype=torch.long)
        for j, n in enumerate(chunk):
            ids[j, :n] = torch.tensor([r.randrange(1000, VOCAB) for _ in range(n)])
            mask[j, :n] = 1
        out.append((ids, mask))
    return out


def run(p, batches):
    for ids, mask in batches:
        forward(p, ids, mask)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seconds", type=float, default=3)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    p = make_model()
    with torch.no_grad():
        for name, lengths in workloads():
            batches = make_batches(lengths)
            run(p, batches[:2])  # warm-up
            n, t0, c0 = 0, time.perf_counter(), time.process_time()
            while True:
                run(p, batches)
                n += len(lengths)
                el = time.perf_counter() - t0
                if el >= a.seconds:
                    break
            cpu = time.process_time() - c0
            print(json.dumps({"name": name, "sentences_per_s": n / el, "sentences_per_cpu_s": n / cpu, "threads": a.threads,
                              "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
