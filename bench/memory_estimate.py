"""How close `backbones.photo_bytes` (what `train` refuses batches by, and `Predictor` splits them by) comes to the memory
a batch really takes: each case runs in a process of its own (the shipped pooling: GeM of three stages, five 70 % crops,
the second moments), measures the peak resident memory of one forward pass (with a backward pass for a training step)
above the process's memory before it, and divides it by the estimate. Target: every ratio at most 1 (a batch `train`
refuses would not have fit) and above about 0.3 (a batch that fits is not refused for nothing).
Run: python bench/memory_estimate.py > bench/memory_estimate.txt"""
import subprocess, sys, platform, torch

CASES = [  # arch, px, photos, training step
    ('tf_efficientnet_lite1', 480, 4, False), ('tf_efficientnet_lite1', 960, 2, False), ('tf_efficientnet_lite1', 1536, 1, False),
    ('tf_efficientnet_lite1', 240, 8, True), ('tf_efficientnet_lite1', 480, 2, True),
    ('mobilenetv2_100', 480, 4, False), ('mobilenetv2_100', 480, 2, True), ('convnext_tiny', 480, 4, False), ('convnext_tiny', 240, 4, True)]

ONE = """
import sys, resource, torch
from shoeclf.backbones import shoe_model, photo_bytes
torch.set_num_threads(2)
arch, px, n, step = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == '1'
moment = dict(moment=64, moment_stages=[-2]) if 'lite' in arch else {}
m = shoe_model(arch, 3, pretrained=False, head='linear', pool='gem', stages=[-2, -1], crop=0.7, **moment)
x = torch.randn(n, 3, px, px)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
if step: m.train(); m(x).sum().backward()
else:
    with torch.no_grad(): m.eval()(x)
used = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
print(used, n * photo_bytes(arch, px, views=6, train_body=step))
"""

print(f'{platform.processor() or platform.machine()}, torch {torch.__version__}, 2 threads; one process per case')
print(f"{'backbone':<24}{'px':>6}{'photos':>8}{'pass':>10}{'measured GiB':>14}{'estimate GiB':>14}{'ratio':>7}")
for arch, px, n, step in CASES:
    out = subprocess.run([sys.executable, '-c', ONE, arch, str(px), str(n), '1' if step else '0'], capture_output=True, text=True, check=True)
    used, est = map(int, out.stdout.split())
    print(f"{arch:<24}{px:>6}{n:>8}{'training' if step else 'features':>10}{used / 2**30:>14.2f}{est / 2**30:>14.2f}{used / est:>7.2f}")
