"What the benchmark scripts share: a timer and the model they measure."
import os, time, tempfile
from pathlib import Path

def timed(f, *args) -> tuple:
    "Seconds `f(*args)` took, and its result"
    t = time.perf_counter(); res = f(*args)
    return time.perf_counter() - t, res

def bench_model(model_dir=None, default='models/brands', **kwargs) -> Path:
    "`model_dir` (else `default`) if it holds a saved model, else a quick model (`quick_model(**kwargs)`) trained on $SHOECLF_DATA into a temporary folder"
    d = Path(model_dir or default)
    if (d/'model.json').exists(): return d
    from shoeclf.test_utils import quick_model
    print(f'{d} not found: training a quick model for the benchmark')
    return quick_model(os.environ['SHOECLF_DATA'], Path(tempfile.mkdtemp())/'model', **kwargs)
