"""CPU cost per image of the backbone features behind the online rows of 01's table (ConvNeXt-tiny / -large from the hub),
side by side with the offline default (EfficientNet-Lite1, 240 px), in one run: pooled features of a batch of 8 photos,
224 px (240 for Lite1), 2 threads, channels-last, no grad. Random weights: the cost does not depend on their values.
Run: python bench/convnext_cost.py > bench/convnext_cost.txt"""
import time, platform, torch, timm

torch.set_num_threads(2)
ARCHS = [('tf_efficientnet_lite1', 240), ('convnext_tiny', 224), ('convnext_large', 224)]
BS, REPS = 8, 2

def per_image(arch:str, size:int) -> float:
    "Seconds per image for pooled features of a batch of `BS` at `size` px (best of `REPS` after one warm-up)"
    m = timm.create_model(arch, pretrained=False, num_classes=0).eval().to(memory_format=torch.channels_last)
    x = torch.randn(BS, 3, size, size).contiguous(memory_format=torch.channels_last)
    with torch.inference_mode():
        m(x); ts = []
        for _ in range(REPS):
            t0 = time.perf_counter(); m(x); ts.append(time.perf_counter() - t0)
    return min(ts) / BS

print(f'{platform.processor() or platform.machine()}, torch {torch.__version__}, {torch.get_num_threads()} threads, batch {BS}')
res = {a: per_image(a, s) for a,s in ARCHS}
base = res['tf_efficientnet_lite1']
print(f"{'backbone':<24}{'px':>5}{'s / image':>11}{'vs lite1':>10}{'711 photos x2 (clean+mirror)':>31}")
for a,s in ARCHS:
    print(f'{a:<24}{s:>5}{res[a]:>11.3f}{res[a]/base:>9.1f}x{res[a]*711*2/60:>26.1f} min')
