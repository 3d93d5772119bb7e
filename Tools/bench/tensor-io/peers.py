#!/usr/bin/env python3
"""The same operations as TensorIOBench, timed in Python peers (best of 5, seconds), printed as JSON.
Usage: peers.py <work directory>  (reads bench.safetensors and matrix.npy written by the Swift harness)
Peers: huggingface safetensors (numpy API, which copies into numpy arrays, and safe_open), numpy, torch."""
import json
import sys
import time

import numpy as np

directory = sys.argv[1]
results = {}


def best(fn, repeats=5):
    fastest = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


from safetensors.numpy import load_file, save_file  # noqa: E402

path = f"{directory}/bench.safetensors"
tensors = load_file(path)
results["safetensors_load_file_s"] = best(lambda: load_file(path))
results["safetensors_load_sum_s"] = best(lambda: sum(float(t.sum(dtype=np.float64)) for t in load_file(path).values()))
results["safetensors_save_file_s"] = best(lambda: save_file(tensors, f"{directory}/peer.safetensors"))

import torch  # noqa: E402

torch.set_num_threads(1)
matrix = np.load(f"{directory}/matrix.npy")
results["numpy_sort_stable_1000x1000_s"] = best(lambda: (np.sort(matrix, axis=-1, kind="stable"), np.argsort(matrix, axis=-1, kind="stable")))
t = torch.from_numpy(matrix)
results["torch_sort_stable_1000x1000_s"] = best(lambda: torch.sort(t, dim=-1, stable=True))
results["torch_topk10_1000x1000_s"] = best(lambda: torch.topk(t, 10, dim=-1))

p = torch.nn.Parameter(torch.randn(25_600_000))
p.grad = torch.randn(25_600_000)
adam = torch.optim.Adam([p], lr=1e-3, foreach=False)
results["torch_adam_step_25.6M_s"] = best(adam.step)
sgd = torch.optim.SGD([p], lr=0.1, momentum=0.9, weight_decay=1e-4, foreach=False)
results["torch_sgd_momentum_step_25.6M_s"] = best(sgd.step)
print(json.dumps(results, sort_keys=True))
