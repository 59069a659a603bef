"""Per-image CPU latency of the three ways to run a shoeclf model, measured side by side in one run:
onnxruntime (`shoeclf.onnx.OnnxPredictor`), the project's torch path (`shoeclf.artefact.Predictor`) and fastai's
`learn.predict`. Each photo is predicted by all three in turn (round robin), so machine noise hits them alike.

    python bench/onnx_latency.py [MODEL_DIR] [--n 40] [--threads 2]    # photos from $SHOECLF_DATA

Without MODEL_DIR it uses models/brands when present, else trains `quick_model` in a temporary folder.
Output: bench/onnx_latency.txt is this script's stdout.
"""
import os, sys, time, tempfile, argparse, statistics, platform, warnings
from pathlib import Path
import torch, onnxruntime
from shoeclf.core import image_files
from shoeclf.artefact import Predictor, load_learner_dir
from shoeclf.onnx import export_onnx, OnnxPredictor

def timed(f, *args):
    t = time.perf_counter(); f(*args); return time.perf_counter() - t

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('model_dir', nargs='?')
    p.add_argument('--n', type=int, default=40, help='photos (each predicted once per method, after 3 warm-up photos)')
    p.add_argument('--threads', type=int, default=2)
    args = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(args.threads)
    tmp = Path(tempfile.mkdtemp())
    model_dir = args.model_dir or ('models/brands' if Path('models/brands/model.json').exists() else None)
    if model_dir is None:
        from shoeclf.learner import quick_model
        model_dir = quick_model(Path(os.environ['SHOECLF_DATA']), tmp/'model')
    onnx_path = export_onnx(model_dir, tmp/'model.onnx')

    files = image_files(os.environ['SHOECLF_DATA'])
    files = files[::max(1, len(files)//(args.n+3))][:args.n+3]
    pt, ox = Predictor(model_dir), OnnxPredictor(model_dir, onnx_path, threads=args.threads)
    learn = load_learner_dir(model_dir)
    methods = {'onnxruntime (OnnxPredictor)': ox.probs, 'torch (Predictor)': pt.probs,
               'fastai learn.predict': lambda f: learn.predict(f)}
    x = pt.preprocess(files[0])[None]
    def torch_model(x):
        with torch.inference_mode(): pt.model(x.contiguous(memory_format=torch.channels_last))
    model_only = {'onnxruntime': ox.model, 'torch': torch_model}

    with learn.no_bar(), learn.no_logging():
        for f in files[:3]:                                   # warm-up
            for m in methods.values(): m(f)
        times = {k: [] for k in methods}
        for f in files[3:]:
            for k, m in methods.items(): times[k].append(timed(m, f))
    mtimes = {k: [timed(m, x) for _ in range(args.n)] for k, m in model_only.items()}

    print(f'# shoeclf per-image latency, {platform.processor() or platform.machine()}, {args.threads} threads, '
          f'torch {torch.__version__}, onnxruntime {onnxruntime.__version__}')
    print(f'# model {model_dir} ({pt.meta["arch"]}, {pt.size}px); {len(files)-3} photos from $SHOECLF_DATA, batch size 1')
    print('\nEnd to end (file path -> probabilities: open, resize, normalise, model):')
    base = statistics.median(times['fastai learn.predict'])
    for k, ts in times.items():
        med = statistics.median(ts)
        print(f'  {k:<28} median {med*1e3:7.1f} ms   {base/med:5.2f}x faster than learn.predict')
    ratio = statistics.median(times['torch (Predictor)']) / statistics.median(times['onnxruntime (OnnxPredictor)'])
    print(f'  onnxruntime vs torch: {ratio:.2f}x')
    print('\nModel only (preprocessed [1,3,H,W] tensor -> logits):')
    for k, ts in mtimes.items(): print(f'  {k:<28} median {statistics.median(ts)*1e3:7.1f} ms')
    print(f'  onnxruntime vs torch: {statistics.median(mtimes["torch"])/statistics.median(mtimes["onnxruntime"]):.2f}x')

if __name__ == '__main__': main()
