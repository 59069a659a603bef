"What the benchmark scripts share: a timer and the model they measure."
import os, time, tempfile, statistics
from pathlib import Path

def timed(f, *args) -> tuple:
    "Seconds `f(*args)` took, and its result"
    t = time.perf_counter(); res = f(*args)
    return time.perf_counter() - t, res

def round_robin(methods:dict, items, warmup=3) -> dict:
    "Median seconds per call of each of `methods` on `items`, calling them in turn on each item"
    for x in items[:warmup]:
        for m in methods.values(): m(x)
    times = {k: [] for k in methods}
    for x in items[warmup:]:
        for k, m in methods.items(): times[k].append(timed(m, x)[0])
    return {k: statistics.median(ts) for k, ts in times.items()}

def bench_model(model_dir=None, default='models/brands', **kwargs) -> Path:
    "`model_dir` (else `default`) if it holds a saved model, else a quick model (`quick_model(**kwargs)`) trained on $SHOECLF_DATA into a temporary folder"
    d = Path(model_dir or default)
    if (d/'model.json').exists(): return d
    from shoeclf.test_utils import quick_model
    print(f'{d} not found: training a quick model for the benchmark')
    return quick_model(os.environ['SHOECLF_DATA'], Path(tempfile.mkdtemp())/'model', **kwargs)
