"""Single-image prediction latency: `shoeclf.artefact.Predictor` (used by `shoeclf predict` and the app) against
fastai's `learn.predict`, with the same saved model on the same real photos, measured side by side in one run.

    python bench/predict_speed.py [MODEL_DIR] [--n 12] [--threads 2] [--repeats 3]

MODEL_DIR defaults to models/brands; if it does not exist a quick model is trained into a temporary folder.
Photos: `n` from $SHOECLF_DATA (240x240 JPEG) and `n` from $SHOECLF_WEB_DATA (1280x1600 JPEG, RGBA PNG) if set.
Each photo is predicted by both paths alternately (so machine load hits both alike); every call includes opening
the file, preprocessing and the forward pass. The two paths must agree on the probabilities.
"""
import os, sys, platform, statistics
from pathlib import Path
import torch
from fastcore.script import call_parse, Param
from shoeclf.core import image_files
from shoeclf.artefact import Predictor, load_learner_dir
from _common import timed, bench_model

def photos(n:int) -> dict:
    "Up to `n` real photos from each of $SHOECLF_DATA and $SHOECLF_WEB_DATA, spread over their classes"
    folders = {name: Path(os.environ[k]) for name,k in (('dataset', 'SHOECLF_DATA'), ('web', 'SHOECLF_WEB_DATA')) if os.environ.get(k)}
    if 'dataset' not in folders: sys.exit('set SHOECLF_DATA (and SHOECLF_WEB_DATA) to folders of class/photo files')
    return {k: list(fs[::max(len(fs)//n, 1)][:n]) for k,d in folders.items() for fs in [image_files(d)]}

MODEL_DIR = Param('saved model folder', str, opt=False, nargs='?')   # an optional positional

@call_parse
def main(model_dir:MODEL_DIR='models/brands',  # saved model folder
         n:int=12,                             # photos per folder
         threads:int=2,                        # torch threads
         repeats:int=3):                       # passes over the photos
    "Print single-image latency of Predictor and learn.predict side by side, and their ratio"
    torch.set_num_threads(threads)
    model_dir = bench_model(model_dir)
    learn, pred = load_learner_dir(model_dir), Predictor(model_dir)
    groups = photos(n)
    fastai_predict = lambda f: learn.predict(f)[2]
    predictor = lambda f: pred.probs(f)[0]
    times, diffs = {}, []
    with learn.no_bar():
        for f in groups['dataset'][:2]: fastai_predict(f); predictor(f)          # warm-up
        for _ in range(repeats):
            for g,files in groups.items():
                for f in files:
                    a, pa = timed(fastai_predict, f)
                    b, pb = timed(predictor, f)
                    times.setdefault(g, []).append((a, b)); diffs.append((pa - pb).abs().max().item())
    times['all photos'] = [t for g in groups for t in times[g]]
    print(f"model {model_dir} ({pred.cfg.arch}, {pred.size}px); {repeats} passes; torch {torch.__version__}, "
          f"{threads} threads, {os.cpu_count()} CPUs ({platform.machine()})")
    print(f"{'photos':<16}{'n':>5}{'learn.predict ms':>18}{'Predictor ms':>14}{'ratio':>8}   (medians)")
    for g,ts in times.items():
        fa, pr = (1000*statistics.median(t[i] for t in ts) for i in (0, 1))
        print(f"{g:<16}{len(ts):>5}{fa:>18.1f}{pr:>14.1f}{fa/pr:>7.2f}x")
    print(f"max |probability difference| between the two paths: {max(diffs):.2e}")
