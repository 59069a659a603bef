"""int8 top-1 on a CPU without VNNI, emulated: a model's fp32 file, its `export-onnx --int8` file (signed 8-bit weights,
U8S8) and the same with unsigned 8-bit weights (U8U8, kernels without the pairwise int16 sums that saturate on AVX2),
each scored natively and under `qemu-x86_64 -cpu Haswell` (AVX2 and FMA, no AVX-512, no VNNI: onnxruntime then runs
its AVX2 integer kernels), against the native fp32 reading, on the model's own validation split.

    python bench/int8_emulated.py [MODEL_DIR]    # default models/brands, else a quick model; needs qemu-user (apt)

The emulated run takes some 10 minutes per int8 file on 2 cores. bench/int8_emulated.txt is this script's output.
"""
import os, sys, site, shutil, subprocess, tempfile, functools, warnings
from pathlib import Path
import numpy as np

MODELS = ('fp32', 'U8S8', 'U8U8')

def score(folder:Path, names):
    "Logits of each `names` ONNX file in `folder` on `folder/x.npy`, saved beside it (onnxruntime and numpy only: it also runs emulated)"
    import onnxruntime as ort
    x = np.load(folder/'x.npy')
    for m in names:
        s = ort.InferenceSession(str(folder/f'{m}.onnx'), providers=['CPUExecutionProvider'])
        np.save(folder/f'{m}-{sys.argv[1]}.npy', np.concatenate([s.run(None, {'image': x[i:i+8]})[0] for i in range(0, len(x), 8)]))

def prepare(md:Path, folder:Path) -> np.ndarray:
    "The three ONNX files of `md` and its preprocessed validation photos in `folder`; their labels"
    import torch
    import shoeclf.quantize as qz
    from onnxruntime.quantization import QuantType
    from shoeclf.artefact import Predictor, split_items
    from shoeclf.onnx import export_onnx
    pred = Predictor(md); vf = split_items(pred.cfg)[1]
    np.save(folder/'x.npy', torch.stack([pred.preprocess(f) for f in vf]).numpy())
    fp32, orig = export_onnx(md, folder/'fp32.onnx'), qz.quantize_static
    for name, kw in (('U8S8', {}), ('U8U8', dict(weight_type=QuantType.QUInt8))):
        qz.quantize_static = functools.partial(orig, **kw)
        try: qz.quantize_int8(md, fp32, folder/f'{name}.onnx')
        finally: qz.quantize_static = orig
    print(f'model {md} ({pred.cfg.arch}); {len(vf)} validation photos')
    return np.array([pred.classes.index(f.parent.name) for f in vf])

def main():
    warnings.filterwarnings('ignore')
    from _common import bench_model
    if not shutil.which('qemu-x86_64'): sys.exit('needs qemu-x86_64: apt-get install qemu-user')
    md, folder = bench_model(sys.argv[1] if len(sys.argv) > 1 else None), Path(tempfile.mkdtemp())
    y = prepare(md, folder)
    me, env = [os.path.realpath(sys.executable), __file__], dict(os.environ, PYTHONPATH=os.pathsep.join(site.getsitepackages()))
    subprocess.run([*me, 'native', folder, *MODELS], check=True, env=env)    # the interpreter itself, as under qemu (a venv's link finds no packages there)
    subprocess.run(['qemu-x86_64', '-cpu', 'Haswell', *me, 'haswell', folder, 'U8S8', 'U8U8'], check=True, env=env, stderr=subprocess.DEVNULL)
    p = lambda m, where: np.load(folder/f'{m}-{where}.npy')
    soft = lambda a: np.exp(a - a.max(1, keepdims=True)) / np.exp(a - a.max(1, keepdims=True)).sum(1, keepdims=True)
    ref = p('fp32', 'native')
    for where, names in (('native', MODELS), ('haswell', MODELS[1:])):
        for m in names:
            a = p(m, where)
            print(f'{m:5s} {where:8s} accuracy {(a.argmax(1) == y).mean():.3f}, same top-1 as fp32 {(a.argmax(1) == ref.argmax(1)).mean():.1%}, '
                  f'max |p - p32| {np.abs(soft(a) - soft(ref)).max():.3f}, photos that change: {np.flatnonzero(a.argmax(1) != ref.argmax(1)).tolist()}')

if __name__ == '__main__':
    if len(sys.argv) > 2: score(Path(sys.argv[2]), sys.argv[3:])   # the scoring child: `WHERE FOLDER MODEL...`
    else: main()
