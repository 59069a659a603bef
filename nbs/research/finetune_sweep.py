"""Long fine-tunes of all layers, cross-validated on the folds of `01_training` (the research sweep behind its section on long fine-tunes).

Needs only torch, timm, safetensors, numpy and pillow, so that it runs on a bare GPU machine. Its input is the folder that
`01_training` writes (`folds.json`: the brand photos' relative paths, labels, each backbone's normalisation and `cv_folds` of 5 folds x 3 seeds, with
near-duplicates kept on one side; `weights/{arch}.safetensors`: the offline ImageNet weights under timm's names) and the
photo folder. Every variant fine-tunes a fresh timm model on every training fold and scores its test fold under several
test-time views; each fold's predictions (classes and probabilities) are appended as one JSON line to `OUT/folds.jsonl`, which 01 reads back.

    python finetune_sweep.py --data PHOTOS --inputs INPUTS --out OUT --workers 8 --shards 2 l1-mild:bn=frozen l0:bn=frozen,epochs=60 ...

A variant is `name[:key=value,...]` over `BASE`; the name alone picks one of `VARIANTS`."""
import argparse, json, math, os, subprocess, sys, time
from pathlib import Path
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F, timm
from PIL import Image
from safetensors.torch import load_file

BASE = dict(arch='tf_efficientnet_lite1', size=240, bs=32, warm=1, epochs=30, lr=2e-3, body=0.2, wd=0.05, pool='gem',
            mixup=0.4, cutmix=0.5, smoothing=0.1, bn='train', ema=0.995, drop=0.2, drop_path=0.1, min_scale=0.35, rot=10.)
L0, L1, L2 = 'tf_efficientnet_lite0', 'tf_efficientnet_lite1', 'tf_efficientnet_lite2'
VARIANTS = {'l1': {}, 'l1-mild': dict(mixup=0., min_scale=0.6), 'l0': dict(arch=L0), 'l2': dict(arch=L2)}   # name -> changes to BASE
POS = ((0.15, 0.15), (0., 0.), (0.3, 0.), (0., 0.3), (0.3, 0.3))    # `(left, top)` of the five 70 % crops: centre, corners

def variant(spec:str) -> dict:
    "The settings of `name[:key=value,...]`: `BASE`, the named variant's changes, then the given ones"
    name, _, kv = spec.partition(':')
    if name not in VARIANTS: raise SystemExit(f"unknown variant {name!r} in {spec!r}; variants: {', '.join(VARIANTS)}")
    cfg = {**BASE, **VARIANTS[name], 'name': spec}
    for item in filter(None, kv.split(',')):
        k, v = item.split('=')
        if k not in BASE: raise SystemExit(f"unknown setting {k!r} in {spec!r}; settings: {', '.join(BASE)}")
        cfg[k] = type(BASE[k])(v)
    return cfg

def load_photos(data:Path, rel:list, size:int=240) -> torch.Tensor:
    "uint8 `[n, 3, size, size]` of the photos `rel` (paths under `data`), squished to `size` as `shoe_dls` does"
    return torch.stack([torch.from_numpy(np.asarray(Image.open(data/r).convert('RGB').resize((size, size), Image.BILINEAR)).copy()).permute(2, 0, 1)
                        for r in rel])

def augment(x:torch.Tensor, size:int, min_scale:float, rot:float, g:torch.Generator) -> torch.Tensor:
    "Random-resized crops (down to `min_scale` of the area, aspect 3/4-4/3), flips, rotations of up to `rot` degrees and colour jitter of the float batch `x` (0-1), at `size` px"
    n, dev = len(x), x.device
    u = lambda lo, hi: lo + (hi - lo) * torch.rand(n, generator=g, device=dev)
    area, ratio = u(min_scale, 1.), torch.exp(u(math.log(3/4), math.log(4/3)))
    w, h = (area * ratio).sqrt().clamp(max=1.), (area / ratio).sqrt().clamp(max=1.)
    cx, cy = u(-1., 1.) * (1 - w), u(-1., 1.) * (1 - h)
    a = u(-rot, rot) * math.pi / 180
    flip = torch.where(torch.rand(n, generator=g, device=dev) < 0.5, -1., 1.)
    theta = torch.stack([torch.stack([w * a.cos() * flip, -h * a.sin(), cx], 1), torch.stack([w * a.sin() * flip, h * a.cos(), cy], 1)], 1)
    x = F.grid_sample(x, F.affine_grid(theta, (n, 3, size, size), align_corners=False), mode='bilinear', padding_mode='reflection', align_corners=False)
    jitter = (torch.rand(n, generator=g, device=dev) < 0.8).float().view(n, 1, 1, 1)
    grey = x.mean(1, keepdim=True)
    sat, con, bri = (1 + jitter * (u(0.6, 1.4).view(n, 1, 1, 1) - 1) for _ in range(3))
    x = grey + sat * (x - grey)
    m = x.mean((1, 2, 3), keepdim=True)
    x = (m + con * (x - m)) * bri
    x = torch.where((torch.rand(n, generator=g, device=dev) < 0.1).view(n, 1, 1, 1), x.mean(1, keepdim=True).expand_as(x), x)
    return x.clamp(0, 1)

def mix(x, y, alpha:float, cutmix:float, g:torch.Generator):
    "Mixup, or with probability `cutmix` CutMix, of the batch `x`: the mixed batch, the partners' labels and the weight of `y`"
    lam = float(np.random.default_rng(int(torch.randint(0, 2**31, (1,), generator=g))).beta(alpha, alpha))
    perm = torch.randperm(len(x), generator=g, device='cpu').to(x.device)
    if float(torch.rand(1, generator=g)) < cutmix:
        s = x.shape[-1]; c = int(s * math.sqrt(1 - lam))
        i, j = (int(torch.randint(0, s - c + 1, (1,), generator=g)) for _ in range(2))
        x = x.clone(); x[:, :, i:i+c, j:j+c] = x[perm, :, i:i+c, j:j+c]
        lam = 1 - c * c / (s * s)
    else: x = lam * x + (1 - lam) * x[perm]
    return x, y[perm], lam

class GeM(nn.Module):
    "Generalised-mean pooling (p = 3) of a feature map to `[n, c]`"
    def forward(self, x): return x.float().clamp(min=1e-6).pow(3).mean((2, 3)).pow(1/3).to(x.dtype)

def make_model(cfg:dict, weights:Path, n_classes:int) -> nn.Module:
    "timm's `cfg['arch']` with the offline ImageNet weights, a new classifier and `cfg['pool']` pooling"
    m = timm.create_model(cfg['arch'], pretrained=False, num_classes=n_classes, drop_rate=cfg['drop'], drop_path_rate=cfg['drop_path'])
    sd = {k: v.float() for k, v in load_file(weights/f"{cfg['arch']}.safetensors").items() if not k.startswith('classifier.')}
    missing, unexpected = m.load_state_dict(sd, strict=False)
    if unexpected or any(not k.startswith('classifier.') for k in missing): raise SystemExit(f'weights do not fit {cfg["arch"]}: {missing} {unexpected}')
    if cfg['pool'] == 'gem': m.global_pool = GeM()
    return m

def schedule(step:int, total:int, peak:float, warm_frac:float=0.1) -> float:
    "One-cycle learning rate: linear warm-up from peak/25 over `warm_frac` of the steps, then cosine to peak/1e4"
    w = max(1, int(warm_frac * total))
    if step < w: return peak / 25 + (peak - peak / 25) * step / w
    return peak / 1e4 + (peak - peak / 1e4) * 0.5 * (1 + math.cos(math.pi * (step - w) / max(1, total - w)))

def views(x:torch.Tensor, size:int, g:torch.Generator, cfg:dict) -> dict:
    "The test-time views of the float batch `x` (0-1): the photo, its mirror, five 70 % crops, four augmented views"
    s = x.shape[-1]; c = round(0.7 * s)
    up = lambda t: F.interpolate(t, size=(size, size), mode='bilinear', antialias=True, align_corners=False) if t.shape[-1] != size else t
    out = dict(plain=up(x), flip=up(x.flip(3)))
    for k, (l, t) in enumerate(POS): out[f'crop{k}'] = up(x[:, :, round(t * s):round(t * s) + c, round(l * s):round(l * s) + c])
    for k in range(4): out[f'aug{k}'] = augment(x, size, cfg['min_scale'], cfg['rot'], g)
    return out

READINGS = dict(plain=('plain',), flip=('plain', 'flip'), crops=('plain',) + tuple(f'crop{k}' for k in range(5)),
                crops_flip=('plain', 'flip') + tuple(f'crop{k}' for k in range(5)), tta=('plain',) + tuple(f'aug{k}' for k in range(4)))

@torch.no_grad()
def predict(model, x:torch.Tensor, cfg:dict, norm) -> dict:
    "Class probabilities (`[n, c]`) of the uint8 photos `x` under every reading of `READINGS`, averaged over its views"
    model.eval(); g = torch.Generator(device=x.device).manual_seed(0); probs = {}
    for b in range(0, len(x), 128):
        xb = x[b:b+128].float() / 255
        with torch.autocast(x.device.type, dtype=torch.bfloat16, enabled=x.device.type == 'cuda'):
            for k, v in views(xb, cfg['size'], g, cfg).items(): probs.setdefault(k, []).append(model(norm(v)).float().softmax(1))
    probs = {k: torch.cat(v) for k, v in probs.items()}
    return {r: torch.stack([probs[v] for v in vs]).mean(0) for r, vs in READINGS.items()}

def set_bn(model, mode:str):
    "Batch-norm layers in train mode, or (`frozen`) in eval mode with their running statistics kept"
    if mode == 'frozen':
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm): m.eval()

def normaliser(stats, dev):
    "Normalise a float batch (0-1) with the backbone's ImageNet `stats` (mean, std), in channels-last memory"
    mean, std = (torch.tensor(v, device=dev).view(1, 3, 1, 1) for v in stats)
    return lambda t: ((t - mean) / std).contiguous(memory_format=torch.channels_last)

def fine_tune(cfg:dict, x:torch.Tensor, y:torch.Tensor, weights:Path, n_classes:int, seed:int, norm):
    "Train `cfg`'s model on the uint8 photos `x` with labels `y`: `warm` epochs of the classifier alone, then `epochs` of all layers; the model and its EMA"
    dev = x.device
    torch.manual_seed(seed); g = torch.Generator(device=dev).manual_seed(seed); gc = torch.Generator().manual_seed(seed)
    model = make_model(cfg, weights, n_classes).to(dev).to(memory_format=torch.channels_last)
    state = list(model.state_dict().values())                     # views of the weights and statistics, updated in place
    ema = [v.detach().clone() for v in state] if cfg['ema'] else None
    floats = [i for i, v in enumerate(state) if v.dtype.is_floating_point]
    head = [p for n, p in model.named_parameters() if n.startswith('classifier.')]
    body = [p for n, p in model.named_parameters() if not n.startswith('classifier.')]
    steps = len(x) // cfg['bs']
    for phase, epochs in (('warm', cfg['warm']), ('all', cfg['epochs'])):
        if not epochs: continue
        for p in body: p.requires_grad_(phase == 'all')
        groups = [dict(params=head, lr=cfg['lr'])] + ([dict(params=body, lr=cfg['lr'] * cfg['body'])] if phase == 'all' else [])
        opt = torch.optim.AdamW(groups, weight_decay=cfg['wd'], fused=dev.type == 'cuda')
        peaks, total, step = [gr['lr'] for gr in opt.param_groups], epochs * steps, 0
        for _ in range(epochs):
            model.train(); set_bn(model, cfg['bn'] if phase == 'all' else 'frozen')
            order = torch.randperm(len(x), generator=gc).to(dev)
            for b in range(steps):
                idx = order[b * cfg['bs']:(b + 1) * cfg['bs']]
                xb, yb = augment(x[idx].float() / 255, cfg['size'], cfg['min_scale'], cfg['rot'], g), y[idx]
                yb2, lam = yb, 1.
                if cfg['mixup'] and phase == 'all': xb, yb2, lam = mix(xb, yb, cfg['mixup'], cfg['cutmix'], gc)
                for gr, pk in zip(opt.param_groups, peaks): gr['lr'] = schedule(step, total, pk)
                with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=dev.type == 'cuda'):
                    out = model(norm(xb)).float()
                loss = lam * F.cross_entropy(out, yb, label_smoothing=cfg['smoothing']) + (1 - lam) * F.cross_entropy(out, yb2, label_smoothing=cfg['smoothing'])
                opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); step += 1
                if ema is not None and phase == 'all':
                    d = min(cfg['ema'], (1 + step) / (10 + step))
                    with torch.no_grad(): torch._foreach_lerp_([ema[i] for i in floats], [state[i] for i in floats], 1 - d)
    if ema is None: return model, None
    ema_model = make_model(cfg, weights, n_classes).to(dev).to(memory_format=torch.channels_last)
    ema_model.load_state_dict(dict(zip(model.state_dict().keys(), ema)))
    return model, ema_model

def run_variant(spec:str, data:Path, inputs:Path, out:Path, deadline:float, n_folds:int|None, shard:int=0, shards:int=1):
    "Every `shards`-th fold (from `shard`) of `folds.json` for the variant `spec`, one JSON line per fold appended to `out/folds.jsonl` (folds already there are skipped)"
    cfg = variant(spec); meta = json.loads((inputs/'folds.json').read_text())
    dev = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    torch.backends.cudnn.benchmark = True; torch.set_num_threads(2)
    classes = sorted(set(meta['labels'])); y_all = torch.tensor([classes.index(l) for l in meta['labels']], device=dev)
    x_all, norm = load_photos(data, meta['files']).to(dev), normaliser(meta['stats'][cfg['arch']], dev)
    done = set()
    if (out/'folds.jsonl').exists():
        done = {(r['variant'], r['seed'], r['fold']) for r in map(json.loads, (out/'folds.jsonl').read_text().splitlines()) if r}
    for f in meta['folds'][:n_folds][shard::shards]:
        if (spec, f['seed'], f['fold']) in done: continue
        if time.time() > deadline: print(f'{spec}: deadline reached before seed {f["seed"]} fold {f["fold"]}', flush=True); return
        t0 = time.time(); tr, te = torch.tensor(f['train'], device=dev), torch.tensor(f['test'], device=dev)
        model, ema_model = fine_tune(cfg, x_all[tr], y_all[tr], inputs/'weights', len(classes), 1000 * f['seed'] + f['fold'], norm)
        probs = {f'{w}_{r}': p for w, m in (('raw', model), ('ema', ema_model)) if m is not None
                 for r, p in predict(m, x_all[te], cfg, norm).items()}
        preds = {k: [classes[i] for i in p.argmax(1).tolist()] for k, p in probs.items()}
        row = dict(variant=spec, cfg=cfg, seed=f['seed'], fold=f['fold'], test=f['test'], preds=preds, seconds=time.time() - t0, device=str(dev),
                   probs={k: p.double().cpu().numpy().round(4).tolist() for k, p in probs.items()})   # for ensembles with other models
        with open(out/'folds.jsonl', 'a') as fh: fh.write(json.dumps(row) + '\n')
        acc = {k: round(float(np.mean(np.array(v) == np.array(meta['labels'])[f['test']])), 3) for k, v in preds.items() if k.endswith(('plain', 'crops', 'tta'))}
        print(f'{spec} seed {f["seed"]} fold {f["fold"]}: {time.time() - t0:.0f} s {acc}', flush=True)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('variants', nargs='+', help='variants to run, `name[:key=value,...]`, in order of priority')
    p.add_argument('--data', type=Path, required=True, help='the brand photo folder (class sub-folders)')
    p.add_argument('--inputs', type=Path, required=True, help="the folder 01 writes: folds.json and weights/")
    p.add_argument('--out', type=Path, required=True, help='folder of folds.jsonl (appended to)')
    p.add_argument('--workers', type=int, default=1, help='processes at once (sharing the GPU)')
    p.add_argument('--minutes', type=float, default=1e9, help='no fold is started after this many minutes')
    p.add_argument('--folds', type=int, default=None, help='only the first N folds (a smoke test)')
    p.add_argument('--shards', type=int, default=1, help="processes per variant, each training every `shards`-th fold")
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--shard', type=int, default=0, help=argparse.SUPPRESS)
    p.add_argument('--deadline', type=float, default=None, help=argparse.SUPPRESS)
    a = p.parse_args()
    for v in a.variants: variant(v)                                 # bad settings stop here, before any work
    a.out.mkdir(parents=True, exist_ok=True)
    if a.worker: return run_variant(a.variants[0], a.data, a.inputs, a.out, a.deadline, a.folds, a.shard, a.shards)
    deadline, todo, running = time.time() + 60 * a.minutes, [(v, i) for v in a.variants for i in range(a.shards)], []
    while todo or running:
        running = [r for r in running if r.poll() is None]
        while todo and len(running) < a.workers:
            v, i = todo.pop(0)
            cmd = [sys.executable, __file__, v, '--worker', '--shard', str(i), '--shards', str(a.shards), '--deadline', str(deadline),
                   '--data', str(a.data), '--inputs', str(a.inputs), '--out', str(a.out)] + (['--folds', str(a.folds)] if a.folds else [])
            running.append(subprocess.Popen(cmd))
        time.sleep(1)

if __name__ == '__main__': main()
