"""The app under load: starts `shoeclf app MODEL` on 127.0.0.1 and drives it through `gradio_client` with 1, 4 and
16 concurrent clients, each for a bounded time, uploading real photos of $SHOECLF_DATA with some bad uploads mixed in
(a text file named .jpg, an empty .png). Prints requests/s, p50/p95 latency, failed good requests, bad uploads
answered with a message, and the server's memory (RSS) before and after each stage, for each `--max_batch` setting
of the app (1: one request at a time through the model; N: up to N waiting requests share one pass), side by side.

    python bench/app_load.py [MODEL_DIR] [--clients 1 4 16] [--seconds 30] [--bad 0.1] [--max_batch 1 8]

Without MODEL_DIR it uses models/brands when present, else trains `quick_model` in a temporary folder.
bench/app_load.txt is this script's output.
"""
import os, sys, time, random, tempfile, argparse, statistics, subprocess, threading, warnings
from pathlib import Path
from gradio_client import Client, handle_file
from shoeclf.core import image_files
from shoeclf.test_utils import free_port
from _common import bench_model

def rss_mb(pid:int) -> float:
    "Resident memory of process `pid` and its children, in MB"
    pids = [pid] + [int(c) for c in Path(f'/proc/{pid}/task/{pid}/children').read_text().split()]
    kb = 0
    for p in pids:
        for line in Path(f'/proc/{p}/status').read_text().splitlines():
            if line.startswith('VmRSS:'): kb += int(line.split()[1])
    return kb/1024

def wait_up(url:str, proc, timeout:float=180) -> Client:
    t = time.time()
    while time.time() - t < timeout:
        if proc.poll() is not None: sys.exit(f'the app exited with status {proc.returncode}')
        try: return Client(url, verbose=False)
        except Exception: time.sleep(1)
    sys.exit(f'the app did not answer on {url} within {timeout}s')

def client_loop(url, photos, bad, p_bad, until, out:list, seed:int):
    "One client: upload a random photo (or, with probability `p_bad`, a bad file) until time `until`"
    rnd, c = random.Random(seed), Client(url, verbose=False)
    while time.time() < until:
        is_bad = rnd.random() < p_bad
        f = rnd.choice(bad if is_bad else photos)
        t = time.perf_counter()
        try:
            label, heat, msg = c.predict(handle_file(str(f)), api_name='/run')
            ok = bool(msg) if is_bad else (label is not None and heat is not None and not msg)
        except Exception as e: ok, msg = False, repr(e)
        out.append((is_bad, ok, time.perf_counter() - t))

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument('model_dir', nargs='?')
    p.add_argument('--clients', type=int, nargs='+', default=[1, 4, 16])
    p.add_argument('--seconds', type=float, default=30)
    p.add_argument('--bad', type=float, default=0.1, help='share of bad uploads')
    p.add_argument('--max_batch', type=int, nargs='+', default=[1, 8], help="the app's --max_batch settings to compare")
    a = p.parse_args()
    warnings.filterwarnings('ignore')
    tmp = Path(tempfile.mkdtemp())
    model_dir = bench_model(a.model_dir, arch='tf_efficientnet_lite1', size=240)
    photos = list(image_files(os.environ['SHOECLF_DATA']))
    (tmp/'notes.jpg').write_text('not a photo'); (tmp/'empty.png').write_bytes(b'')
    bad = [tmp/'notes.jpg', tmp/'empty.png']
    print(f'# shoeclf app under load: {model_dir}, {os.cpu_count()} CPUs (load average {os.getloadavg()[0]:.1f} at start), '
          f'{a.seconds:.0f} s per stage, {a.bad:.0%} bad uploads')
    print(f'{"max_batch":>9}{"clients":>8}{"requests":>9}{"req/s":>7}{"p50 s":>7}{"p95 s":>7}{"failed good":>12}{"bad answered":>13}{"RSS MB":>14}')
    for mb in a.max_batch: stages(model_dir, mb, a, photos, bad)

def stages(model_dir, max_batch:int, a, photos, bad):
    "Start the app with `--max_batch max_batch` and print one line per number of clients in `a.clients`"
    port = free_port()
    url = f'http://127.0.0.1:{port}/'
    proc = subprocess.Popen([sys.executable, '-c', 'import sys; from shoeclf.cli import main; sys.exit(main())', 'app', str(model_dir),
                             '--port', str(port), '--max_batch', str(max_batch)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, 'GRADIO_ANALYTICS_ENABLED': 'False'})
    try:
        wait_up(url, proc).predict(handle_file(str(photos[0])), api_name='/run')   # warm-up
        for n in a.clients:
            res, before = [], rss_mb(proc.pid)
            until = time.time() + a.seconds
            ts = [threading.Thread(target=client_loop, args=(url, photos, bad, a.bad, until, res, i)) for i in range(n)]
            t0 = time.time()
            for t in ts: t.start()
            for t in ts: t.join()
            wall = time.time() - t0
            good = [r for r in res if not r[0]]
            lat = sorted(r[2] for r in good) or [float('nan')]
            p95 = lat[min(len(lat)-1, int(0.95*len(lat)))]
            print(f'{max_batch:>9}{n:>8}{len(res):>9}{len(res)/wall:>7.1f}{statistics.median(lat):>7.2f}{p95:>7.2f}'
                  f'{sum(not r[1] for r in good):>12}{sum(r[1] for r in res if r[0]):>6}/{sum(r[0] for r in res):<6}'
                  f'{before:>7.0f}->{rss_mb(proc.pid):.0f}', flush=True)
    finally: proc.terminate(); proc.wait(30)

if __name__ == '__main__': main()
