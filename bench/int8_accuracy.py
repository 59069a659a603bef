"""Top-1 of a model's int8 ONNX file against its fp32 one on the model's own validation split, with the second
moments' matrix products kept in fp32 (`shoeclf.quantize.BODY_ENDS`, what `export-onnx --int8` does) and, side by
side, quantised like the rest of the body (what it did before the moments were kept out).

    python bench/int8_accuracy.py [MODEL_DIR]    # default models/brands, else a quick model

bench/int8_accuracy.txt is this script's output.
"""
import sys, time, tempfile, warnings
from pathlib import Path
import torch
import shoeclf.quantize as qz
from shoeclf.artefact import Predictor, split_items
from shoeclf.onnx import export_onnx, OnnxPredictor
from _common import bench_model

def main():
    warnings.filterwarnings('ignore')
    torch.set_num_threads(2)
    md, tmp = bench_model(sys.argv[1] if len(sys.argv) > 1 else None), Path(tempfile.mkdtemp())
    pred = Predictor(md)
    vf = split_items(pred.cfg)[1]
    y = torch.tensor([pred.classes.index(f.parent.name) for f in vf])
    x = torch.stack([pred.preprocess(f) for f in vf])
    print(f'model {md} ({pred.cfg.arch}, moment={pred.cfg.moment}, moment_stages={pred.cfg.moment_stages}); {len(vf)} validation photos')
    fp32 = export_onnx(md, tmp/'fp32.onnx')
    p32 = OnnxPredictor(md, fp32).batch_probs(x)
    print(f'{"fp32":28s} accuracy {(p32.argmax(1) == y).float().mean():.3f}')
    for name, ends in (('int8, moments in fp32', qz.BODY_ENDS), ('int8, moments quantised', tuple(e for e in qz.BODY_ENDS if e != 'MatMul'))):
        qz.BODY_ENDS = ends
        t0 = time.time(); q = qz.quantize_int8(md, fp32, tmp/f'{len(ends)}.onnx')
        p8 = OnnxPredictor(md, q).batch_probs(x)
        print(f'{name:28s} accuracy {(p8.argmax(1) == y).float().mean():.3f}, same top-1 as fp32 {(p8.argmax(1) == p32.argmax(1)).float().mean():.1%}, '
              f'max |p - p32| {(p8 - p32).abs().max():.3f}, {q.stat().st_size/1e6:.0f} MB, quantised in {time.time()-t0:.0f} s')

if __name__ == '__main__': main()
