#!/usr/bin/env python3
"""Golden outputs for VidiNN's layers, losses and backbones (Tests/VidiNNTests).

Reference: PyTorch (CPU, float32). Each case `<name>` writes
  Fixtures/golden/nn/<name>.safetensors   the module's state_dict (seeded random weights, PyTorch key names)
  Fixtures/golden/nn/<name>_<tensor>.npy  inputs, outputs and (for some layers) gradients
The Swift tests build the same module, load the state dict by name (strict) and compare outputs.
torchvision is not installed, so the backbones below re-create torchvision's / CLIP's module trees with the
same key names (ResNet, VideoResNet r3d_18 / r2plus1d_18, CLIP VisionTransformer), at reduced width so the
fixtures stay small; the Swift side builds them with the same width arguments through the same code paths.

    $(Tools/reference-venv.sh) Tools/goldens/make_nn_goldens.py
"""
import math
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = os.path.join(ROOT, "Fixtures", "golden", "nn")
torch.manual_seed(20261122)
rng = np.random.default_rng(20261122)


def randn(*shape, scale=1.0):
    return torch.tensor(rng.standard_normal(shape).astype(np.float32) * scale)


def save_npy(name, tensor):
    array = tensor.detach().numpy() if torch.is_tensor(tensor) else np.asarray(tensor)
    if array.dtype == np.float64:
        array = array.astype(np.float32)
    np.save(os.path.join(OUT, name + ".npy"), np.require(array, requirements="C"))  # keeps rank 0


def save_weights(name, module):
    state = {k: v.detach().contiguous().clone() for k, v in module.state_dict().items()}
    save_file(state, os.path.join(OUT, name + ".safetensors"))


def randomize_norms(module):
    """Non-trivial affine and running statistics, so eval-mode BatchNorm is really tested."""
    for m in module.modules():
        if isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d, nn.LayerNorm, nn.GroupNorm)):
            with torch.no_grad():
                if m.weight is not None:
                    m.weight.copy_(1 + 0.2 * randn(*m.weight.shape))
                    m.bias.copy_(0.2 * randn(*m.bias.shape))
                if getattr(m, "running_mean", None) is not None:
                    m.running_mean.copy_(0.2 * randn(*m.running_mean.shape))
                    m.running_var.copy_(1 + 0.5 * torch.rand(m.running_var.shape))
                    m.num_batches_tracked.fill_(7)


def case(name, module, inputs, grads=False, train=False, call=None):
    """Runs `module` on `inputs` (dict name -> tensor), saves weights, inputs, output (and gradients of the
    projected loss sum(out * proj) w.r.t. float inputs and parameters when `grads`)."""
    module.train(train)
    save_weights(name, module)
    for k, v in inputs.items():
        save_npy(f"{name}_{k}", v)
    leaves = {k: (v.clone().requires_grad_(grads) if v.is_floating_point() else v) for k, v in inputs.items()}
    out = call(module, **leaves) if call else module(*leaves.values())
    save_npy(f"{name}_out", out)
    if train:  # updated running statistics
        for k, v in module.state_dict().items():
            if "running" in k:
                save_npy(f"{name}_after_{k.replace('.', '_')}", v)
    if grads:
        proj = randn(*out.shape)
        save_npy(f"{name}_proj", proj)
        (out * proj).sum().backward()
        for k, v in leaves.items():
            if v.is_floating_point():
                save_npy(f"{name}_grad_{k}", v.grad)
        for k, p in module.named_parameters():
            save_npy(f"{name}_grad_{k.replace('.', '_')}", p.grad)
    return out


# ---------------------------------------------------------------- layers

def layers():
    case("linear", nn.Linear(5, 4), {"x": randn(2, 3, 5)}, grads=True)
    case("conv1d", nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=1, groups=2), {"x": randn(2, 4, 9)}, grads=True)
    case("conv2d", nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 0), dilation=(1, 2)), {"x": randn(2, 3, 7, 6)}, grads=True)
    case("conv3d", nn.Conv3d(2, 3, 3, stride=(1, 2, 2), padding=1, bias=False), {"x": randn(1, 2, 4, 5, 5)})
    for dims, shape in ((1, (4, 3, 5)), (2, (3, 3, 4, 4)), (3, (2, 3, 2, 3, 3))):
        bn = getattr(nn, f"BatchNorm{dims}d")(3, momentum=0.2)
        randomize_norms(bn)
        x = randn(*shape)
        case(f"batchnorm{dims}d_eval", bn, {"x": x})
        case(f"batchnorm{dims}d_train", bn, {"x": x}, train=True, grads=dims == 2)
    ln = nn.LayerNorm([4, 6])
    randomize_norms(ln)
    case("layernorm", ln, {"x": randn(2, 3, 4, 6)}, grads=True)
    gn = nn.GroupNorm(2, 6)
    randomize_norms(gn)
    case("groupnorm", gn, {"x": randn(2, 6, 3, 3)})
    emb = nn.Embedding(10, 4, padding_idx=0)
    case("embedding", emb, {"ids": torch.tensor([[1, 0, 9], [3, 3, 2]])}, grads=True)
    mlp = MLP(6, [8, 5])
    case("mlp", mlp, {"x": randn(3, 6)})


class MLP(nn.Module):
    """Linear layers with ReLU between them; keys `layers.0`, `layers.1`, … (the layout DETR/STCN-style heads use)."""

    def __init__(self, inp, dims):
        super().__init__()
        ins = [inp] + dims[:-1]
        self.layers = nn.ModuleList(nn.Linear(i, o) for i, o in zip(ins, dims))

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            x = layer(x)
            if i < len(self.layers) - 1:
                x = F.relu(x)
        return x


# ---------------------------------------------------------------- attention and transformers

def attention():
    e, h = 8, 2
    mha = nn.MultiheadAttention(e, h, batch_first=True)
    with torch.no_grad():
        mha.in_proj_bias.copy_(0.1 * randn(3 * e))
        mha.out_proj.bias.copy_(0.1 * randn(e))
    q, k, v = randn(2, 3, e), randn(2, 5, e), randn(2, 5, e)
    kpm = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    am = torch.tensor(rng.standard_normal((3, 5)).astype(np.float32))
    case("mha", mha, {"q": q, "k": k, "v": v, "key_padding_mask": kpm, "attn_mask": am}, grads=True,
         call=lambda m, q, k, v, key_padding_mask, attn_mask: m(q, k, v, key_padding_mask=key_padding_mask,
                                                                attn_mask=attn_mask, need_weights=False)[0])
    with torch.no_grad():  # head-averaged attention weights (need_weights=True), same module and inputs
        save_npy("mha_weights", mha(q, k, v, key_padding_mask=kpm, attn_mask=am, need_weights=True)[1])
    bool_mask = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)
    x = randn(4, 2, e)  # sequence first
    mha2 = nn.MultiheadAttention(e, h, batch_first=False)
    case("mha_causal_seqfirst", mha2, {"x": x, "attn_mask": bool_mask},
         call=lambda m, x, attn_mask: m(x, x, x, attn_mask=attn_mask, need_weights=False)[0])
    for norm_first in (False, True):
        tag = "prenorm" if norm_first else "postnorm"
        enc = nn.TransformerEncoderLayer(e, h, dim_feedforward=16, dropout=0.0, activation="gelu",
                                         batch_first=True, norm_first=norm_first)
        randomize_norms(enc)
        src = randn(2, 4, e)
        pad = torch.tensor([[False, False, False, True], [False, False, False, False]])
        case(f"encoder_{tag}", enc, {"src": src, "src_key_padding_mask": pad},
             call=lambda m, src, src_key_padding_mask: m(src, src_key_padding_mask=src_key_padding_mask))
        dec = nn.TransformerDecoderLayer(e, h, dim_feedforward=16, dropout=0.0, activation="relu",
                                         batch_first=True, norm_first=norm_first)
        randomize_norms(dec)
        tgt, memory = randn(2, 3, e), randn(2, 4, e)
        causal = torch.triu(torch.full((3, 3), float("-inf")), diagonal=1)
        case(f"decoder_{tag}", dec, {"tgt": tgt, "memory": memory, "tgt_mask": causal,
                                     "memory_key_padding_mask": pad},
             call=lambda m, tgt, memory, tgt_mask, memory_key_padding_mask:
             m(tgt, memory, tgt_mask=tgt_mask, memory_key_padding_mask=memory_key_padding_mask))
    # Sinusoidal encoding as in "Attention is all you need" / the PyTorch tutorial: pe[:, 0::2] = sin, 1::2 = cos.
    length, dim = 7, 6
    position = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    div = torch.exp(torch.arange(0, dim, 2, dtype=torch.float64) * (-math.log(10000.0) / dim))
    pe = torch.zeros(length, dim, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(position * div)
    pe[:, 1::2] = torch.cos(position * div)
    save_npy("sinusoidal_7x6", pe)


# ---------------------------------------------------------------- losses

def losses():
    logits = randn(5, 4)
    target = torch.tensor([0, 3, 1, 2, 3])
    weight = torch.tensor([1.0, 2.0, 0.5, 1.5])
    save_npy("loss_logits", logits)
    save_npy("loss_target", target)
    save_npy("loss_class_weight", weight)
    target_ignore = target.clone()
    target_ignore[2] = -100
    save_npy("loss_target_ignore", target_ignore)
    results = {
        "ce_mean": F.cross_entropy(logits, target),
        "ce_sum": F.cross_entropy(logits, target, reduction="sum"),
        "ce_none": F.cross_entropy(logits, target, reduction="none"),
        "ce_smooth": F.cross_entropy(logits, target, label_smoothing=0.1),
        "ce_weighted": F.cross_entropy(logits, target, weight=weight),
        "ce_ignore": F.cross_entropy(logits, target_ignore, ignore_index=-100),
        "ce_all": F.cross_entropy(logits, target_ignore, weight=weight, ignore_index=-100, label_smoothing=0.2),
    }
    # Per-pixel cross-entropy: [N, C, H, W] logits with [N, H, W] targets.
    seg_logits, seg_target = randn(2, 3, 2, 2), torch.tensor(rng.integers(0, 3, size=(2, 2, 2)))
    save_npy("loss_seg_logits", seg_logits)
    save_npy("loss_seg_target", seg_target)
    results["ce_spatial"] = F.cross_entropy(seg_logits, seg_target)
    x, y = randn(3, 4), torch.tensor(rng.random((3, 4)).astype(np.float32))
    save_npy("loss_x", x)
    save_npy("loss_y", y)
    pos_weight = torch.tensor([1.0, 2.0, 3.0, 0.5])
    save_npy("loss_pos_weight", pos_weight)
    results["bce"] = F.binary_cross_entropy_with_logits(x, y)
    results["bce_pos_weight"] = F.binary_cross_entropy_with_logits(x, y, pos_weight=pos_weight)
    hard = (y > 0.5).float()
    save_npy("loss_y_hard", hard)
    # torchvision.ops.sigmoid_focal_loss, written out (torchvision is not installed here).
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, hard, reduction="none")
    p_t = p * hard + (1 - p) * (1 - hard)
    focal = ce * (1 - p_t) ** 2
    alpha_t = 0.25 * hard + 0.75 * (1 - hard)
    results["focal"] = (alpha_t * focal).mean()
    log_q = F.log_softmax(randn(3, 4), dim=1)
    pr = F.softmax(randn(3, 4), dim=1)
    save_npy("loss_log_q", log_q)
    save_npy("loss_p", pr)
    results["kl_batchmean"] = F.kl_div(log_q, pr, reduction="batchmean")
    results["mse"] = F.mse_loss(x, y)
    results["smooth_l1"] = F.smooth_l1_loss(x, y * 3, beta=0.5)
    # InfoNCE (CPC / MoCo / CLIP): rows of q match the same row of k; logits = q̂ k̂ᵀ / τ on L2-normalised vectors.
    q, k = randn(4, 6), randn(4, 6)
    save_npy("loss_q", q)
    save_npy("loss_k", k)
    qn, kn = F.normalize(q, dim=1), F.normalize(k, dim=1)
    sim = qn @ kn.T / 0.07
    labels = torch.arange(4)
    results["infonce"] = F.cross_entropy(sim, labels)
    results["infonce_symmetric"] = (F.cross_entropy(sim, labels) + F.cross_entropy(sim.T, labels)) / 2
    for name, value in results.items():
        save_npy(f"loss_{name}", value)
    # Gradient of cross-entropy with everything on, w.r.t. the logits.
    lg = logits.clone().requires_grad_(True)
    F.cross_entropy(lg, target_ignore, weight=weight, ignore_index=-100, label_smoothing=0.2).backward()
    save_npy("loss_ce_all_grad", lg.grad)


# ---------------------------------------------------------------- ResNet (torchvision layout)

class BasicBlock(nn.Module):
    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        return self.relu(out + identity)


class Bottleneck(nn.Module):
    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None):
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)  # stride on the 3x3 (ResNet v1.5)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * 4, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * 4)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        identity = x if self.downsample is None else self.downsample(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        return self.relu(out + identity)


class ResNet(nn.Module):
    def __init__(self, block, layers, widths=(64, 128, 256, 512), in_channels=3, num_classes=1000):
        super().__init__()
        self.inplanes = widths[0]
        self.conv1 = nn.Conv2d(in_channels, widths[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(widths[0])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        for i, (w, n) in enumerate(zip(widths, layers)):
            setattr(self, f"layer{i + 1}", self._make_layer(block, w, n, 1 if i == 0 else 2))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(widths[3] * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride):
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                                       nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, blocks)]
        return nn.Sequential(*layers)

    def features(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        feats = []
        for i in range(4):
            x = getattr(self, f"layer{i + 1}")(x)
            feats.append(x)
        return feats

    def forward(self, x):
        x = self.features(x)[-1]
        return self.fc(torch.flatten(self.avgpool(x), 1))


# ---------------------------------------------------------------- VideoResNet (torchvision r3d_18 / r2plus1d_18 layout)

class Conv3DSimple(nn.Conv3d):
    def __init__(self, in_planes, out_planes, midplanes=None, stride=1, padding=1):
        super().__init__(in_planes, out_planes, (3, 3, 3), stride, padding, bias=False)


class Conv2Plus1D(nn.Sequential):
    def __init__(self, in_planes, out_planes, midplanes, stride=1, padding=1):
        super().__init__(
            nn.Conv3d(in_planes, midplanes, (1, 3, 3), (1, stride, stride), (0, padding, padding), bias=False),
            nn.BatchNorm3d(midplanes), nn.ReLU(inplace=True),
            nn.Conv3d(midplanes, out_planes, (3, 1, 1), (stride, 1, 1), (padding, 0, 0), bias=False))


class VideoBasicBlock(nn.Module):
    def __init__(self, inplanes, planes, conv_builder, stride=1, downsample=None):
        midplanes = (inplanes * planes * 3 * 3 * 3) // (inplanes * 3 * 3 + 3 * planes)
        super().__init__()
        self.conv1 = nn.Sequential(conv_builder(inplanes, planes, midplanes, stride), nn.BatchNorm3d(planes), nn.ReLU(inplace=True))
        self.conv2 = nn.Sequential(conv_builder(planes, planes, midplanes), nn.BatchNorm3d(planes))
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x):
        residual = x if self.downsample is None else self.downsample(x)
        return self.relu(self.conv2(self.conv1(x)) + residual)


class VideoResNet(nn.Module):
    def __init__(self, conv_builder, stem, widths, num_classes):
        super().__init__()
        self.inplanes = widths[0]
        self.stem = stem
        for i, w in enumerate(widths):
            stride = 1 if i == 0 else 2
            downsample = None
            if stride != 1 or self.inplanes != w:
                downsample = nn.Sequential(nn.Conv3d(self.inplanes, w, 1, stride, bias=False), nn.BatchNorm3d(w))
            blocks = [VideoBasicBlock(self.inplanes, w, conv_builder, stride, downsample), VideoBasicBlock(w, w, conv_builder)]
            self.inplanes = w
            setattr(self, f"layer{i + 1}", nn.Sequential(*blocks))
        self.avgpool = nn.AdaptiveAvgPool3d((1, 1, 1))
        self.fc = nn.Linear(widths[3], num_classes)

    def forward(self, x):
        x = self.stem(x)
        for i in range(4):
            x = getattr(self, f"layer{i + 1}")(x)
        return self.fc(self.avgpool(x).flatten(1))


def r3d(widths, num_classes):
    stem = nn.Sequential(nn.Conv3d(3, widths[0], (3, 7, 7), (1, 2, 2), (1, 3, 3), bias=False),
                         nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
    return VideoResNet(Conv3DSimple, stem, widths, num_classes)


def r2plus1d(widths, stem_mid, num_classes):
    stem = nn.Sequential(nn.Conv3d(3, stem_mid, (1, 7, 7), (1, 2, 2), (0, 3, 3), bias=False),
                         nn.BatchNorm3d(stem_mid), nn.ReLU(inplace=True),
                         nn.Conv3d(stem_mid, widths[0], (3, 1, 1), (1, 1, 1), (1, 0, 0), bias=False),
                         nn.BatchNorm3d(widths[0]), nn.ReLU(inplace=True))
    return VideoResNet(Conv2Plus1D, stem, widths, num_classes)


# ---------------------------------------------------------------- CLIP VisionTransformer (openai/CLIP model.py layout)

class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = nn.LayerNorm(d_model)
        self.mlp = nn.Sequential()
        self.mlp.add_module("c_fc", nn.Linear(d_model, d_model * 4))
        self.mlp.add_module("gelu", QuickGELU())
        self.mlp.add_module("c_proj", nn.Linear(d_model * 4, d_model))
        self.ln_2 = nn.LayerNorm(d_model)

    def forward(self, x):
        y = self.ln_1(x)
        x = x + self.attn(y, y, y, need_weights=False)[0]
        return x + self.mlp(self.ln_2(x))


class Transformer(nn.Module):
    def __init__(self, width, layers, heads):
        super().__init__()
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads) for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, input_resolution, patch_size, width, layers, heads, output_dim):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, patch_size, patch_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn((input_resolution // patch_size) ** 2 + 1, width))
        self.ln_pre = nn.LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = nn.LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x).flatten(2).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1) + self.positional_embedding
        x = self.ln_pre(x).permute(1, 0, 2)  # NLD -> LND
        x = self.transformer(x).permute(1, 0, 2)
        return self.ln_post(x[:, 0, :]) @ self.proj


def backbones():
    resnet18 = ResNet(BasicBlock, [2, 2, 2, 2], widths=(8, 16, 32, 64), num_classes=10)
    randomize_norms(resnet18)
    x = randn(2, 3, 32, 32)
    case("resnet18_w8", resnet18, {"x": x})
    for i, f in enumerate(resnet18.features(x)):
        save_npy(f"resnet18_w8_layer{i + 1}", f)
    resnet50 = ResNet(Bottleneck, [3, 4, 6, 3], widths=(4, 8, 16, 32), in_channels=4, num_classes=6)
    randomize_norms(resnet50)
    case("resnet50_w4_in4", resnet50, {"x": randn(1, 4, 32, 32)})
    video = randn(1, 3, 4, 16, 16)
    net = r3d((4, 8, 16, 32), 5)
    randomize_norms(net)
    case("r3d18_w4", net, {"x": video})
    net = r2plus1d((4, 8, 16, 32), 6, 5)
    randomize_norms(net)
    case("r2plus1d18_w4", net, {"x": video})
    vit = VisionTransformer(16, 4, 16, 2, 2, 8)
    randomize_norms(vit)
    with torch.no_grad():
        for block in vit.transformer.resblocks:
            block.attn.in_proj_bias.copy_(0.1 * randn(48))
    case("clip_vit_w16", vit, {"x": randn(2, 3, 16, 16)})
    # Training mode through the whole ResNet-18 (batch statistics, running-stat updates, gradients). 64×64 so
    # layer4's BatchNorm sees 2·2·2 values per channel: with 32×32 it sees 2, and normalising two values is
    # ill-conditioned (outputs ±1 whatever their difference), which no float32 comparison survives.
    with torch.enable_grad():
        xt = randn(2, 3, 64, 64).requires_grad_(True)
        save_npy("resnet18_w8_train_x", xt)
        resnet18.train()
        out = resnet18(xt)
        proj = randn(*out.shape)
        (out * proj).sum().backward()
        for name, value in (("out", out), ("proj", proj), ("grad_x", xt.grad), ("grad_conv1_weight", resnet18.conv1.weight.grad),
                            ("grad_fc_weight", resnet18.fc.weight.grad), ("grad_layer3_0_downsample_0_weight",
                                                                         resnet18.layer3[0].downsample[0].weight.grad),
                            ("after_bn1_running_mean", resnet18.bn1.running_mean),
                            ("after_layer4_1_bn2_running_var", resnet18.layer4[1].bn2.running_var)):
            save_npy(f"resnet18_w8_train_{name}", value)


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    layers()
    attention()
    losses()
    with torch.no_grad():
        backbones()
    total = sum(os.path.getsize(os.path.join(OUT, f)) for f in os.listdir(OUT))
    print(f"wrote {len(os.listdir(OUT))} files, {total / 1e6:.2f} MB under {OUT}")
