#!/usr/bin/python3
"""PyTorch 1.13 CPU reference for `tests/Benchmarks train`: one MNRL training step on a MiniLM-L6-shaped random BERT
(plain torch, the model of tools/fixtures/make_bert_fixture.py): batch B of (query 16 tokens, passage 96 tokens),
mean pooling, MNRL (scale 20), backward, clip_grad_norm_(1.0), AdamW. Prints seconds per step and peak RSS.
With --mini-batch M it runs GradCache the way sentence-transformers' CachedMultipleNegativesRankingLoss does.
Usage: /usr/bin/python3 tools/bench/torch_train_step.py [--batch 32] [--steps 5] [--threads 2] [--mini-batch 0]"""
import argparse, json, os, resource, sys, time
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures"))
from make_bert_fixture import bert_forward  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--batch", type=int, default=32)
ap.add_argument("--steps", type=int, default=5)
ap.add_argument("--threads", type=int, default=os.cpu_count())
ap.add_argument("--mini-batch", type=int, default=0)
ap.add_argument("--no-warmup", action="store_true")
a = ap.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)
cfg = dict(model_type="bert", hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
           max_position_embeddings=512, type_vocab_size=2, layer_norm_eps=1e-12, hidden_act="gelu", vocab_size=30522)
H, I = 384, 1536
p = {"embeddings.word_embeddings.weight": torch.randn(30522, H) * 0.02, "embeddings.position_embeddings.weight": torch.randn(512, H) * 0.02,
     "embeddings.token_type_embeddings.weight": torch.randn(2, H) * 0.02, "embeddings.LayerNorm.weight": torch.ones(H), "embeddings.LayerNorm.bias": torch.zeros(H)}
for l in range(6):
    pre = f"encoder.layer.{l}."
    for m in ["attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense"]:
        p[pre + m + ".weight"] = torch.randn(H, H) * 0.02; p[pre + m + ".bias"] = torch.zeros(H)
    p[pre + "intermediate.dense.weight"] = torch.randn(I, H) * 0.02; p[pre + "intermediate.dense.bias"] = torch.zeros(I)
    p[pre + "output.dense.weight"] = torch.randn(H, I) * 0.02; p[pre + "output.dense.bias"] = torch.zeros(H)
    for ln in ["attention.output.LayerNorm", "output.LayerNorm"]:
        p[pre + ln + ".weight"] = torch.ones(H); p[pre + ln + ".bias"] = torch.zeros(H)
params = {k: torch.nn.Parameter(v) for k, v in p.items()}
opt = torch.optim.AdamW(params.values(), lr=2e-5, weight_decay=0.01)


def embed(ids):
    mask = torch.ones_like(ids)
    h = bert_forward(cfg, params, ids, torch.zeros_like(ids), mask)
    return h.mean(1)


def mnrl(q, d):
    s = F.normalize(q, dim=1) @ F.normalize(d, dim=1).T * 20
    return F.cross_entropy(s, torch.arange(q.shape[0]))


def step(qi, di):
    opt.zero_grad()
    if a.mini_batch <= 0:
        loss = mnrl(embed(qi), embed(di))
        loss.backward()
    else:  # GradCache: embed without graph, loss grad w.r.t. embeddings, then re-run chunks with graph
        with torch.no_grad():
            qe = torch.cat([embed(c) for c in qi.split(a.mini_batch)])
            de = torch.cat([embed(c) for c in di.split(a.mini_batch)])
        qe.requires_grad_(True); de.requires_grad_(True)
        loss = mnrl(qe, de)
        loss.backward()
        for ids, g in ((qi, qe.grad), (di, de.grad)):
            for c, gc in zip(ids.split(a.mini_batch), g.split(a.mini_batch)):
                embed(c).backward(gc)
    torch.nn.utils.clip_grad_norm_(list(params.values()), 1.0)
    opt.step()
    return loss.item()


ap_warm = 0 if "--no-warmup" in sys.argv else 1
times, cpu = [], []
for s in range(a.steps + ap_warm):
    qi = torch.randint(1000, 30000, (a.batch, 16)); di = torch.randint(1000, 30000, (a.batch, 96))
    t, c = time.perf_counter(), time.process_time(); step(qi, di)
    times.append(time.perf_counter() - t); cpu.append(time.process_time() - c)
per = sum(times[ap_warm:]) / len(times[ap_warm:])
cpu_per = sum(cpu[ap_warm:]) / len(cpu[ap_warm:])
print(json.dumps({"bench": "torch_train", "batch": a.batch, "mini_batch": a.mini_batch, "threads": a.threads, "torch": torch.__version__,
                  "seconds_per_step": round(per, 3), "cpu_seconds_per_step": round(cpu_per, 3), "examples_per_s": round(a.batch / per, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
