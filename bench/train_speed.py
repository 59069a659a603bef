"""Training speed on CPU: `shoeclf train` (cached features, linear head) vs plain `vision_learner(...).fine_tune(...)`.

Same data, same split, same architecture, same image size, same offline ImageNet weights; prints, side by side, the
wall time each path needs to reach a given validation accuracy (clock started before the model is built, so
shoeclf's feature extraction counts) and its throughput: training photos (counting each cached view) per second.

    python bench/train_speed.py [DATA_DIR] --arch tf_efficientnet_lite1 --size 240 --target 0.75 --threads 2
"""
import time, os, tempfile, torch
from fastcore.script import call_parse, Param
from fastai.vision.all import vision_learner, accuracy, Callback
from shoeclf.learner import shoe_dls, train, recorded
from shoeclf.backbones import weights_kwargs
from shoeclf.artefact import ModelCfg

class Clock(Callback):
    "Record wall time and training images seen at the end of each epoch, and when `target` accuracy is first reached"
    order = 90
    def __init__(self, target, t0): self.target,self.t0,self.imgs,self.hit = target,t0,0,None
    def after_batch(self):
        if self.training: self.imgs += len(self.xb[0])
    def after_epoch(self):
        acc = recorded(self.learn)
        if self.hit is None and acc >= self.target: self.hit = time.time() - self.t0
        self.acc,self.wall = acc,time.time() - self.t0

def plain(data, arch, size, epochs, target):
    dls = shoe_dls(data, size=size, bs=32)
    t0 = time.time()
    learn = vision_learner(dls, arch, metrics=accuracy, **weights_kwargs(arch))  # same ImageNet weights, offline too
    clock = Clock(target, t0)
    with learn.no_bar(): learn.fine_tune(epochs, cbs=clock)
    return dict(wall=clock.wall, imgs=clock.imgs, hit=clock.hit, acc=clock.acc)

def ours(data, arch, size, target):
    t0,out = time.time(),tempfile.mkdtemp()
    learn = train(data, out, arch, size=size, pool='concat', n_views=0)   # train's fastest recipe: one scale, clean + mirrored views, linear head
    wall = time.time() - t0
    acc = ModelCfg.load(out).extra['valid']['accuracy']   # validated once, by `train`, before saving
    return dict(wall=wall, imgs=2*len(learn.dls.train.items), hit=wall if acc >= target else None, acc=acc)

DATA = Param('photo folder (default: $SHOECLF_DATA)', str, nargs='?')   # an optional positional

@call_parse
def main(data:DATA=None,                    # photo folder (default: $SHOECLF_DATA)
         arch:str='tf_efficientnet_lite1',  # timm architecture
         size:int=240,                      # image size in pixels
         target:float=0.75,                 # validation accuracy to reach
         plain_epochs:int=3,                # epochs of the plain fine-tune
         threads:int=2):                    # torch threads
    torch.set_num_threads(threads)
    data = data or os.environ['SHOECLF_DATA']
    print(f"{arch} at {size}px on {data}, {threads} threads; target validation accuracy {target:.1%}")
    a = plain(data, arch, size, plain_epochs, target)
    b = ours(data, arch, size, target)
    rows = [('vision_learner.fine_tune', a), ('shoeclf train', b)]
    print(f"{'path':26} {'wall s':>7} {'train img/s':>12} {'final acc':>10} {'s to target':>12}")
    for name,r in rows:
        hit = f"{r['hit']:.0f}" if r['hit'] is not None else 'not reached'
        print(f"{name:26} {r['wall']:7.0f} {r['imgs']/r['wall']:12.1f} {r['acc']:10.3f} {hit:>12}")
    print(f"ratio images/s (shoeclf / plain): {(b['imgs']/b['wall']) / (a['imgs']/a['wall']):.1f}x")
    if a['hit'] and b['hit']: print(f"ratio time to {target:.0%} (plain / shoeclf): {a['hit']/b['hit']:.1f}x faster")
    elif b['hit']: print(f"plain path never reached {target:.0%} in {a['wall']:.0f}s; shoeclf reached it in {b['hit']:.0f}s "
                         f"(>= {a['wall']/b['hit']:.1f}x faster)")
    else: print("shoeclf path did not reach the target")
