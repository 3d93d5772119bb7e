#!/usr/bin/env python3
"""Golden outputs of CLIP's image and text encoders for small random-weight configurations, from OpenAI's
own model code.

Reference: openai/CLIP `clip/model.py` (`CLIP`, `encode_image`, `encode_text`; github.com/openai/CLIP,
commit d05afc436d78f1c48dc0dbf8e5980a9d471f35f6), PyTorch CPU float32. The CLIP source is not in this
repository: pass the folder holding its `clip/` package.

    $(Tools/reference-venv.sh) Tools/goldens/make_clip_goldens.py /path/to/CLIP
Per configuration `<name>` it writes Fixtures/golden/retrieval/clip_<name>.safetensors (the state dict in
OpenAI's layout, every parameter perturbed so no value is an init constant) and clip_<name>_<tensor>.npy:
images, ids, image_features (encode_image), text_features (encode_text), token_features (ln_final then
text_projection on every row, the per-token features DRL's `encode_text(return_hidden=True)` returns).
"""
import importlib.util
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "retrieval")
spec = importlib.util.spec_from_file_location("clip_model", os.path.join(sys.argv[1], "clip", "model.py"))
clip_model = importlib.util.module_from_spec(spec)
spec.loader.exec_module(clip_model)
torch.manual_seed(20261130)


def save(name, array):
    np.save(os.path.join(OUT, name + ".npy"), np.ascontiguousarray(array))


def case(name, embed, resolution, vision_layers, vision_width, patch, context, vocab, text_width, text_layers):
    model = clip_model.CLIP(embed, resolution, vision_layers, vision_width, patch, context, vocab,
                            text_width, text_width // 64, text_layers).float().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    state = {k: v.detach().contiguous() for k, v in model.state_dict().items()}
    save_file(state, os.path.join(OUT, f"clip_{name}.safetensors"))
    images = torch.randn(2, 3, resolution, resolution)
    lengths = [3, context // 2, context]
    ids = torch.zeros(3, context, dtype=torch.int64)
    for row, length in enumerate(lengths):
        ids[row, :length] = torch.randint(1, vocab - 2, (length,))
        ids[row, 0] = vocab - 2                    # start token
        ids[row, length - 1] = vocab - 1           # end token: the highest id, where encode_text reads
    with torch.no_grad():
        image_features = model.encode_image(images)
        text_features = model.encode_text(ids)
        x = model.token_embedding(ids) + model.positional_embedding
        x = model.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        token_features = model.ln_final(x) @ model.text_projection
    save(f"clip_{name}_images", images.numpy())
    save(f"clip_{name}_ids", ids.numpy())
    save(f"clip_{name}_image_features", image_features.numpy())
    save(f"clip_{name}_text_features", text_features.numpy())
    save(f"clip_{name}_token_features", token_features.numpy())


# B/32-like: 8-px patches on 32 px (16 patches), 2 vision layers, full 77-token context.
case("p8", embed=32, resolution=32, vision_layers=2, vision_width=64, patch=8, context=77, vocab=400,
     text_width=64, text_layers=2)
# B/16-like: 16-px patches on 48 px, 2 heads (width 128), short context.
case("p16", embed=48, resolution=48, vision_layers=1, vision_width=128, patch=16, context=16, vocab=300,
     text_width=128, text_layers=1)
print("wrote", OUT)
