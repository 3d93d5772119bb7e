#!/usr/bin/env python3
"""Copies CLIP's byte-level BPE vocabulary (`bpe_simple_vocab_16e6.txt.gz`, 49,408 tokens after the first
48,894 merges) from the public PyPI package `open_clip_torch` into Sources/VidiRetrieval/Resources/, where
the `vidi` binary finds it. The same file (same SHA-256) ships in OpenAI's `clip` package.

    $(Tools/reference-venv.sh) Tools/retrieval/fetch_clip_vocab.py
It installs `open_clip_torch==3.3.0 --no-deps` into the running interpreter's environment when missing.
"""
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys

SHA256 = "924691ac288e54409236115652ad4aa250f48203de50a9e4722a6ecd48d6804a"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DEST = os.path.join(ROOT, "Sources", "VidiRetrieval", "Resources", "bpe_simple_vocab_16e6.txt.gz")

spec = importlib.util.find_spec("open_clip")
if spec is None:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "open_clip_torch==3.3.0"])
    spec = importlib.util.find_spec("open_clip")
source = os.path.join(list(spec.submodule_search_locations)[0], "bpe_simple_vocab_16e6.txt.gz")
digest = hashlib.sha256(open(source, "rb").read()).hexdigest()
if digest != SHA256:
    sys.exit(f"{source}: unexpected SHA-256 {digest}")
os.makedirs(os.path.dirname(DEST), exist_ok=True)
shutil.copyfile(source, DEST)
print(DEST)
