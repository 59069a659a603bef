"""Single-image prediction latency: `shoeclf.artefact.Predictor` (used by `shoeclf predict` and the app) against
fastai's `learn.predict`, with the same saved model on the same real photos, measured side by side in one run.

    python bench/predict_speed.py [MODEL_DIR] [--n 24] [--threads 2] [--repeats 3]

MODEL_DIR defaults to models/brands; if it does not exist a quick model is trained into a temporary folder.
Photos: half from $SHOECLF_DATA (240x240 JPEG), half from $SHOECLF_WEB_DATA (1280x1600 and RGBA PNG), when set.
Each photo is predicted by both paths alternately (so machine load hits both alike); every call includes opening
the file, preprocessing and the forward pass. The two paths must agree on the probabilities.
"""
import os, sys, time, tempfile, platform, statistics
from pathlib import Path
import torch
from fastcore.script import call_parse, Param
from shoeclf.core import image_files
from shoeclf.artefact import Predictor, load_learner_dir

def photos(n:int) -> list:
    "Up to `n` real photos, spread over the classes of the folders in $SHOECLF_DATA and $SHOECLF_WEB_DATA"
    folders = [Path(os.environ[k]) for k in ('SHOECLF_DATA', 'SHOECLF_WEB_DATA') if os.environ.get(k)]
    if not folders: sys.exit('set SHOECLF_DATA (and optionally SHOECLF_WEB_DATA) to folders of class/photo files')
    per = max(n // len(folders), 1)
    out = []
    for d in folders:
        fs = image_files(d)
        out += list(fs[::max(len(fs)//per, 1)][:per])
    return out

def timed(f, *args) -> tuple:
    t = time.perf_counter(); res = f(*args)
    return time.perf_counter() - t, res

@call_parse
def main(model_dir:Param('saved model folder', str, opt=False, nargs='?')='models/brands',
         n:Param('number of photos', int)=24, threads:Param('torch threads', int)=2, repeats:Param('passes over the photos', int)=3):
    "Print single-image latency of Predictor and learn.predict side by side, and their ratio"
    torch.set_num_threads(threads)
    if not (Path(model_dir)/'model.json').exists():
        from shoeclf.learner import quick_model
        print(f'{model_dir} not found: training a quick model for the benchmark')
        model_dir = quick_model(os.environ['SHOECLF_DATA'], Path(tempfile.mkdtemp())/'model')
    learn, pred = load_learner_dir(model_dir), Predictor(model_dir)
    files = photos(n)
    fastai_predict = lambda f: learn.predict(f)[2]
    predictor = lambda f: pred.probs(f)[0]
    with learn.no_bar():
        for f in files[:2]: fastai_predict(f); predictor(f)          # warm-up
        t_fa, t_pr, diffs = [], [], []
        for _ in range(repeats):
            for f in files:
                a, pa = timed(fastai_predict, f)
                b, pb = timed(predictor, f)
                t_fa.append(a); t_pr.append(b); diffs.append((pa - pb).abs().max().item())
    ms = lambda ts: (1000*statistics.median(ts), 1000*statistics.mean(ts))
    (fa_med, fa_mean), (pr_med, pr_mean) = ms(t_fa), ms(t_pr)
    print(f"model {model_dir} ({pred.meta['arch']}, {pred.size}px), {len(files)} photos x {repeats} passes, "
          f"torch {torch.__version__}, {threads} threads, {platform.processor() or platform.machine()}")
    print(f"{'path':<28}{'median ms':>10}{'mean ms':>10}")
    print(f"{'learn.predict (fastai)':<28}{fa_med:>10.1f}{fa_mean:>10.1f}")
    print(f"{'Predictor.probs':<28}{pr_med:>10.1f}{pr_mean:>10.1f}")
    print(f"ratio learn.predict / Predictor (median): {fa_med/pr_med:.2f}x")
    print(f"max |probability difference| between the two paths: {max(diffs):.2e}")
