"""Per-image CPU latency of the three ways to run a shoeclf model, measured side by side in one run:
onnxruntime (`shoeclf.onnx.OnnxPredictor`), the project's torch path (`shoeclf.artefact.Predictor`) and fastai's
`learn.predict`. Each photo is predicted by all three in turn (round robin), so machine noise hits them alike;
medians are reported, for each thread count.

    python bench/onnx_latency.py [MODEL_DIR] [--n 40] [--threads 1 2]    # photos from $SHOECLF_DATA

Without MODEL_DIR it uses models/brands when present, else trains `quick_model` in a temporary folder.
bench/onnx_latency.txt is this script's output.
"""
import os, tempfile, argparse, platform, warnings
from pathlib import Path
import torch, onnxruntime
from shoeclf.core import image_files
from shoeclf.artefact import Predictor, load_learner_dir
from shoeclf.onnx import export_onnx, OnnxPredictor
from _common import bench_model, round_robin

def report(title, med:dict, base:str):
    print(f'\n{title}')
    for k, t in med.items(): print(f'  {k:<30} {t*1e3:7.1f} ms   {med[base]/t:5.2f}x the speed of {base}')

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('model_dir', nargs='?')
    p.add_argument('--n', type=int, default=40, help='photos timed (after 3 warm-up photos)')
    p.add_argument('--threads', type=int, nargs='+', default=[1, 2])
    args = p.parse_args()
    warnings.filterwarnings('ignore')
    tmp = Path(tempfile.mkdtemp())
    model_dir = bench_model(args.model_dir)
    onnx_path = export_onnx(model_dir, tmp/'model.onnx')
    files = image_files(os.environ['SHOECLF_DATA'])
    files = files[::max(1, len(files)//(args.n+3))][:args.n+3]
    learn = load_learner_dir(model_dir)
    pt = Predictor(model_dir)
    xs = [pt.preprocess(f)[None] for f in files]
    def torch_model(x):
        with torch.inference_mode(): pt.model(x.contiguous(memory_format=torch.channels_last))

    print(f'# shoeclf per-image latency (batch size 1), {platform.machine()}, {os.cpu_count()} CPUs '
          f'(load average {os.getloadavg()[0]:.1f} at start), torch {torch.__version__}, onnxruntime {onnxruntime.__version__}')
    print(f'# model {model_dir} ({pt.cfg.arch}, {pt.size}px); {len(files)-3} photos from $SHOECLF_DATA')
    for th in args.threads:
        torch.set_num_threads(th)
        ox = OnnxPredictor(model_dir, onnx_path, threads=th)
        with learn.no_bar(), learn.no_logging():
            e2e = round_robin({'onnxruntime (OnnxPredictor)': ox.probs, 'torch (Predictor)': pt.probs,
                               'fastai learn.predict': learn.predict}, files)
        model = round_robin({'onnxruntime': ox.model, 'torch': torch_model}, xs)
        print(f'\n## {th} thread{"s" if th > 1 else ""}')
        report('End to end (file path -> probabilities: open, resize, normalise, model):', e2e, 'fastai learn.predict')
        report('Model only (preprocessed [1,3,H,W] tensor -> logits):', model, 'torch')

if __name__ == '__main__': main()
