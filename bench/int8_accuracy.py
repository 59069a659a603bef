"""Top-1 of a model's int8 ONNX file against its fp32 one on the model's own validation split, side by side for three
rules of what ends a quantised body (`shoeclf.quantize.ends_body`): products of two activations (the second moments)
kept in fp32 and products with weights (the moment's basis projection) quantised, what `export-onnx --int8` does;
every matrix product kept in fp32 (the rule before); and the moments quantised like the rest of the body (the rule
before that).

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
    rules = {'int8 (export-onnx --int8)': qz.ends_body,
             'int8, every MatMul fp32': lambda n, consts: n.op_type in qz.GLOBAL_POOLS + ('MatMul',),
             'int8, moments quantised': lambda n, consts: n.op_type in qz.GLOBAL_POOLS}
    for i, (name, rule) in enumerate(rules.items()):
        t0 = time.time(); q = qz.quantize_int8(md, fp32, tmp/f'{i}.onnx', ends=rule)
        p8 = OnnxPredictor(md, q).batch_probs(x)
        print(f'{name:28s} accuracy {(p8.argmax(1) == y).float().mean():.3f}, same top-1 as fp32 {(p8.argmax(1) == p32.argmax(1)).float().mean():.1%}, '
              f'max |p - p32| {(p8 - p32).abs().max():.3f}, {q.stat().st_size/1e6:.0f} MB, quantised in {time.time()-t0:.0f} s')

if __name__ == '__main__': main()
