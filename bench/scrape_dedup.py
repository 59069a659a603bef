"""How long the duplicate check of `shoeclf.scrape.find_duplicates` takes, hashing once and comparing with numpy,
against the obvious way (comparing `imagehash` objects pair by pair), on the web photos × the training photos.

    SHOECLF_DATA=... SHOECLF_WEB_DATA=... python bench/scrape_dedup.py
"""
import os, time
import numpy as np
from shoeclf.core import image_files, image_hash, image_hashes, hash_distances, photo_thumbs

web, train = image_files(os.environ['SHOECLF_WEB_DATA']), image_files(os.environ['SHOECLF_DATA'])
t0 = time.perf_counter(); hw, ht = image_hashes(web), image_hashes(train); t_hash = time.perf_counter() - t0
print(f'{len(web)} web × {len(train)} training photos; hashing them once: {t_hash:.1f} s')

t0 = time.perf_counter()
n_vec = int((hash_distances(hw, ht) <= 6).sum() + np.triu(hash_distances(hw, hw) <= 6, 1).sum())
t_vec = time.perf_counter() - t0

objs_w, objs_t = [image_hash(f) for f in web[:60]], [image_hash(f) for f in train]   # a slice: the full loop takes minutes
t0 = time.perf_counter()
n_loop = sum(a - b <= 6 for a in objs_w for b in objs_t) + sum(a - b <= 6 for i, a in enumerate(objs_w) for b in objs_w[i+1:])
t_loop = (time.perf_counter() - t0)
pairs_slice = len(objs_w)*len(objs_t) + len(objs_w)*(len(objs_w)-1)//2
pairs_all = len(web)*len(train) + len(web)*(len(web)-1)//2
t_loop_all = t_loop * pairs_all / pairs_slice
print(f'all {pairs_all:,} pairs, numpy: {t_vec*1000:.0f} ms ({n_vec} within distance 6)')
print(f'pair by pair with imagehash objects: {t_loop:.2f} s for {pairs_slice:,} pairs, ~{t_loop_all:.1f} s for all')
print(f'numpy is ~{t_loop_all/t_vec:.0f}× faster; the thumbnails that confirm candidates:', end=' ')
t0 = time.perf_counter(); photo_thumbs(web[:100]); print(f'{(time.perf_counter()-t0)*10:.1f} ms per photo')
