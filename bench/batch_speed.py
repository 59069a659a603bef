"""Folder throughput and int8 latency, measured side by side in one run on real photos:

* `shoeclf predict MODEL FOLDER --csv OUT.csv` (`shoeclf.batch.predict_csv`, the code behind it; torch, and onnxruntime
  int8) over >= 2,000 photos of $SHOECLF_TYPES_DATA, against a `learn.predict` loop and against the model alone on
  already-preprocessed batches of the same size (the ceiling);
* single-image end-to-end latency (file path -> probabilities) of the int8 and fp32 onnxruntime models against
  `learn.predict`, round robin over photos of $SHOECLF_DATA.

    python bench/batch_speed.py [MODEL_DIR] [--n 2000] [--n_loop 200] [--bs BS] [--workers 2] [--threads 2]

Without MODEL_DIR it uses models/brands when present, else trains `quick_model` (tf_efficientnet_lite1, 240 px, like
the shipped model) in a temporary folder. bench/batch_speed.txt is this script's output.
"""
import os, time, tempfile, argparse, platform, resource, warnings
from pathlib import Path
import torch, onnxruntime
from shoeclf.core import image_files
from shoeclf.artefact import Predictor, load_learner_dir
from shoeclf.onnx import export_onnx, OnnxPredictor
from shoeclf.quantize import quantize_int8
from shoeclf.batch import predict_csv, default_bs
from _common import bench_model, round_robin

def rss_mb() -> float: return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024

def rate(f, n:int) -> float:
    "Images per second of `f()`, which handles `n` images"
    t = time.perf_counter(); f(); return n/(time.perf_counter() - t)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('model_dir', nargs='?')
    p.add_argument('--n', type=int, default=2000, help='photos of the folder run')
    p.add_argument('--n_loop', type=int, default=200, help='photos of the learn.predict loop')
    p.add_argument('--n_latency', type=int, default=40, help='photos of the single-image latency run')
    p.add_argument('--bs', type=int, default=None, help="photos per batch (default: shoeclf's, for the device)")
    p.add_argument('--workers', type=int, default=2)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    torch.set_num_threads(a.threads)
    tmp = Path(tempfile.mkdtemp())
    model_dir = bench_model(a.model_dir, arch='tf_efficientnet_lite1', size=240)
    int8 = quantize_int8(model_dir, export_onnx(model_dir, tmp/'fp32.onnx'), tmp/'int8.onnx')
    pt, learn = Predictor(model_dir, a.threads), load_learner_dir(model_dir)
    o8, o32 = OnnxPredictor(model_dir, int8, a.threads), OnnxPredictor(model_dir, tmp/'fp32.onnx', a.threads)
    files = image_files(os.environ['SHOECLF_TYPES_DATA'])
    files = files[::max(1, len(files)//a.n)][:a.n]
    folder = tmp/'photos'
    for i,f in enumerate(files): (folder/f.parent.name).mkdir(parents=True, exist_ok=True); os.symlink(f, folder/f.parent.name/f'{i}{f.suffix}')

    print(f'# shoeclf batch prediction, {platform.machine()}, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at start), '
          f'torch {torch.__version__}, onnxruntime {onnxruntime.__version__}, {a.threads} threads')
    bs = dict(torch=a.bs or default_bs(pt), int8=a.bs or default_bs(o8))
    print(f'# model {model_dir} ({pt.cfg.arch}, {pt.size}px); photos from $SHOECLF_TYPES_DATA (136x102 JPEG); '
          f'batch size {bs["torch"]} (torch) / {bs["int8"]} (onnxruntime), {a.workers} DataLoader workers')
    rss0 = rss_mb()
    res = {}
    res['predict --csv (torch)'] = rate(lambda: predict_csv(pt, [folder], tmp/'torch.csv', bs=bs['torch'], workers=a.workers, progress=False), len(files))
    rss1 = rss_mb()
    res['predict --csv --backend onnx (int8)'] = rate(lambda: predict_csv(o8, [folder], tmp/'int8.csv', bs=bs['int8'], workers=a.workers, progress=False), len(files))
    loop = files[:a.n_loop]
    with learn.no_bar(), learn.no_logging():
        learn.predict(loop[0])
        res['learn.predict loop'] = rate(lambda: [learn.predict(f) for f in loop], len(loop))
    def model_only(p, n:int) -> float:
        "Images/s of `p.batch_probs` alone on 10 preprocessed batches of `n` photos"
        xs = [torch.stack([pt.preprocess(f) for f in files[i:i+n]]) for i in range(0, min(len(files), 10*n), n)]
        p.batch_probs(xs[0])
        return rate(lambda: [p.batch_probs(x) for x in xs], sum(map(len, xs)))
    res['model only (torch)'] = model_only(pt, bs['torch'])
    res['model only (onnxruntime int8)'] = model_only(o8, bs['int8'])
    print(f'\n## Folder throughput: {len(files)} photos (learn.predict loop: {len(loop)} of them)')
    print(f'{"path":<38}{"images/s":>10}{"x learn.predict":>17}')
    for k,v in res.items(): print(f'{k:<38}{v:>10.1f}{v/res["learn.predict loop"]:>16.1f}x')
    print(f'predict --csv (torch) / model only (torch): {res["predict --csv (torch)"]/res["model only (torch)"]:.0%}')
    print(f'predict --csv (int8) / model only (int8): {res["predict --csv --backend onnx (int8)"]/res["model only (onnxruntime int8)"]:.0%}')
    print(f'peak memory of this process: {rss0:.0f} MB before the torch folder run, {rss1:.0f} MB after it')

    lat = image_files(os.environ['SHOECLF_DATA'])
    lat = lat[::max(1, len(lat)//(a.n_latency+3))][:a.n_latency+3]
    with learn.no_bar(), learn.no_logging():
        ms = {k: 1e3*v for k,v in round_robin({'onnxruntime int8 (OnnxPredictor)': o8.probs, 'onnxruntime fp32 (OnnxPredictor)': o32.probs,
                                                 'torch (Predictor)': pt.probs, 'fastai learn.predict': learn.predict}, lat).items()}
    print(f'\n## Single-image latency, end to end (file -> probabilities), {len(lat)-3} photos of $SHOECLF_DATA (240x240), medians')
    for k,v in ms.items(): print(f'{k:<36}{v:>8.1f} ms   {ms["fastai learn.predict"]/v:5.2f}x the speed of learn.predict')
    print(f'int8 model file {int8.stat().st_size/1e6:.1f} MB, fp32 {(tmp/"fp32.onnx").stat().st_size/1e6:.1f} MB')

if __name__ == '__main__': main()
