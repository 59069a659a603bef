#!/usr/bin/env bash
# The GPU checks and timings of issue 13 in one command, on a machine with a CUDA GPU (the convnext rows also need
# internet for the hub weights). Writes bench/gpu_check.txt. Usage: SHOECLF_DATA=/path/to/photos bench/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
: "${SHOECLF_DATA:?set SHOECLF_DATA to the brand photos (class/*.jpg), e.g. the Kaggle train split}"
out=bench/gpu_check.txt; tmp=$(mktemp -d)
exec > >(tee "$out") 2>&1
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
python - <<'PY'
import torch
from shoeclf.device import resolve_device, amp_dtype, loader_kwargs
d = resolve_device('auto'); assert d.type == 'cuda', 'no GPU visible to torch'
print('auto ->', d, '| AMP dtype:', amp_dtype(d), '| loader:', loader_kwargs(d))
PY
# the device notebooks' tests, on the GPU (Predictor, load_learner_dir, learner with --device auto)
nbdev_test --path nbs/lib/01a_device.ipynb
nbdev_test --path nbs/lib/02_artefact.ipynb
t() { local s=$(date +%s.%N); "$@"; printf '== %.1f s: %s\n' "$(echo "$(date +%s.%N) - $s" | bc)" "$*"; }
# offline default on the GPU vs the CPU, same command
t shoeclf train "$SHOECLF_DATA" --out "$tmp/lite1-gpu" --device cuda
t shoeclf train "$SHOECLF_DATA" --out "$tmp/lite1-cpu" --device cpu --threads 2
# the online rows of 01's table (hub weights): linear head, then a 4-epoch fine-tune (bf16/fp16 autocast)
t shoeclf train "$SHOECLF_DATA" --arch convnext_tiny --size 224 --out "$tmp/tiny" --device cuda
t shoeclf train "$SHOECLF_DATA" --arch convnext_tiny --size 224 --epochs 4 --out "$tmp/tiny-ft" --device cuda
t shoeclf train "$SHOECLF_DATA" --arch convnext_large_in22k --size 224 --out "$tmp/large" --device cuda
t shoeclf train "$SHOECLF_DATA" --arch convnext_large_in22k --size 224 --epochs 4 --bs 16 --out "$tmp/large-ft" --device cuda
for m in lite1-gpu tiny tiny-ft large large-ft; do
  python -c "import json,sys; v=json.load(open('$tmp/$m/model.json'))['extra']['valid']; print('$m', {k: round(x, 4) for k,x in v.items()})"
done
t shoeclf evaluate "$tmp/large-ft" "${SHOECLF_WEB_DATA:-$SHOECLF_DATA}" --device cuda
t shoeclf predict "$tmp/large-ft" $(ls -d "$SHOECLF_DATA"/*/* | head -32) --device cuda > /dev/null
echo "models kept in $tmp"
