#!/usr/bin/env python3
"""WebDataset shards written by Python's `webdataset` package (and `tarfile` for the other tar dialects),
with what Python's own readers decode from them, for the Swift reader's golden tests.

Run with the reference venv: $(Tools/reference-venv.sh) Tools/goldens/make_training_fixtures.py
Writes Fixtures/golden/training/:
  wds-{0,1}.tar        webdataset.TarWriter: .npy (float32, uint8, int64), .json, .cls, .txt, .png, .jpg
  gnu-longname.tar     tarfile GNU_FORMAT with a member name over 100 bytes (GNU 'L' header)
  pax.tar              tarfile PAX_FORMAT with a long, non-ASCII name (pax 'x' header)
  truncated.tar        wds-0.tar cut inside the data of its third sample
  corrupt.tar          wds-0.tar with a flipped byte in the second sample's first header
  expected.json        per shard: the samples webdataset 1.0 yields (key, then per member a summary
                       Swift recomputes: npy dtype/shape/sum/first values, json value, cls int, txt text,
                       image size and pixel sum as PIL decodes it), and StepLR learning rates.
"""
import io
import json
import os
import tarfile

import numpy as np
import torch
import webdataset as wds
from PIL import Image

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "Fixtures", "golden", "training")


def png_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def jpg_bytes(array):
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="JPEG", quality=90)
    return buffer.getvalue()


def npy_bytes(array):
    buffer = io.BytesIO()
    np.save(buffer, array)
    return buffer.getvalue()


def make_samples(rng, shard, count):
    samples = []
    for i in range(count):
        key = f"s{shard}_{i:03d}"
        image = rng.integers(0, 256, size=(6 + i % 3, 8, 3), dtype=np.uint8)
        sample = {
            "__key__": key,
            "input.npy": npy_bytes(rng.standard_normal((2, 3)).astype(np.float32)),
            "frames.npy": npy_bytes(rng.integers(0, 256, size=(2, 4, 4, 3), dtype=np.uint8)),
            "ids.npy": npy_bytes(np.arange(i, i + 3, dtype=np.int64)),
            "json": json.dumps({"index": i, "shard": shard, "name": f"clip {i}", "tags": ["a", "b"][: i % 3]}).encode(),
            "cls": str((i * 7 + shard) % 5).encode(),
            "txt": f"caption {i} of shard {shard}".encode(),
            "png": png_bytes(image),
            "jpg": jpg_bytes(image),
        }
        samples.append(sample)
    return samples


def summarize(sample):
    """What Python's readers decode from one webdataset sample (bytes per member)."""
    out = {"__key__": sample["__key__"]}
    for name, data in sample.items():
        if name.startswith("__"):
            continue
        if name.endswith("npy"):
            array = np.load(io.BytesIO(data))
            out[name] = {"dtype": str(array.dtype), "shape": list(array.shape),
                         "sum": float(array.astype(np.float64).sum()),
                         "first": [float(v) for v in array.reshape(-1)[:4]]}
        elif name == "json":
            out[name] = json.loads(data)
        elif name == "cls":
            out[name] = int(data)
        elif name == "txt":
            out[name] = data.decode()
        elif name in ("png", "jpg"):
            image = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
            out[name] = {"height": image.shape[0], "width": image.shape[1],
                         "sum": int(image.astype(np.int64).sum()),
                         "pixels": image.reshape(-1).tolist() if name == "png" else None}
        else:
            out[name] = {"bytes": len(data)}
    return out


def read_with_webdataset(path):
    dataset = wds.WebDataset(path, shardshuffle=False, handler=wds.warn_and_continue)
    return [summarize(sample) for sample in dataset]


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(2026)
    expected = {"shards": {}}
    for shard in range(2):
        path = os.path.join(OUT, f"wds-{shard}.tar")
        with wds.TarWriter(path) as sink:
            for sample in make_samples(rng, shard, 5):
                sink.write(sample)
        expected["shards"][f"wds-{shard}.tar"] = read_with_webdataset(path)

    long_dir = "d" * 60 + "/" + "e" * 50
    for name, fmt, member in [("gnu-longname.tar", tarfile.GNU_FORMAT, f"{long_dir}/clip_007.input.npy"),
                              ("pax.tar", tarfile.PAX_FORMAT, f"{long_dir}/vidéo_été.input.npy")]:
        data = npy_bytes(np.arange(6, dtype=np.float32).reshape(2, 3))
        path = os.path.join(OUT, name)
        with tarfile.open(path, "w", format=fmt) as archive:
            directory = tarfile.TarInfo(long_dir)
            directory.type = tarfile.DIRTYPE
            archive.addfile(directory)
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            label = tarfile.TarInfo(member.replace("input.npy", "cls"))
            label.size = 1
            archive.addfile(label, io.BytesIO(b"3"))
        expected["shards"][name] = read_with_webdataset(path)

    with open(os.path.join(OUT, "wds-0.tar"), "rb") as f:
        whole = f.read()
    # Cut inside the third sample: find its first header and cut 700 bytes after it.
    third = whole.find(b"s0_002.")
    truncated_at = (third // 512) * 512 + 700
    with open(os.path.join(OUT, "truncated.tar"), "wb") as f:
        f.write(whole[:truncated_at])
    expected["shards"]["truncated.tar"] = read_with_webdataset(os.path.join(OUT, "truncated.tar"))
    second = whole.find(b"s0_001.")
    corrupt = bytearray(whole)
    corrupt[(second // 512) * 512 + 130] ^= 0x01  # inside the size field: the checksum no longer matches
    with open(os.path.join(OUT, "corrupt.tar"), "wb") as f:
        f.write(bytes(corrupt))
    expected["shards"]["corrupt.tar"] = read_with_webdataset(os.path.join(OUT, "corrupt.tar"))

    # torch.optim.lr_scheduler.StepLR(step_size=3, gamma=0.5) over 10 steps from lr 0.1.
    parameter = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([parameter], lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
    rates = []
    for _ in range(10):
        rates.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    expected["step_lr"] = {"base": 0.1, "step_size": 3, "gamma": 0.5, "rates": rates}

    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
