#!/usr/bin/python3
"""Reference forward passes for the models tests (run once with /usr/bin/python3; commit test/fixtures/models/).

1. torchvision ResNet-50 (ImageNet stem) and ResNet-18 with the CIFAR stem (3x3 conv, no max-pool), run by
   torchvision's own forward code. To keep the committed weights small (a few MB, not 150 MB) every conv/BN/fc is
   narrowed after construction (channels / 8); the forward code, names and strides stay torchvision's.
   The full-width ResNet-50 state-dict keys and shapes are saved too (names checked at full size).
2. A SimCLRv2 model with selective kernels, squeeze-excitation, the ResNet-D stem/shortcut, grayscale input and the
   3-layer projection head + supervised head: a PyTorch transcription of google-research/simclr tf2/resnet.py and
   tf2/model.py (including TF 'SAME' average pooling), with the parameter names of src/models.
Weights get fixed random values and non-trivial BN running statistics; outputs are saved in eval mode and, for
ResNet-18 and the SK model, one train-mode step (outputs, updated running stats, gradients).
"""
import json
import pathlib
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import safetensors_io  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "test" / "fixtures" / "models"
torch.manual_seed(20240601)
torch.set_num_threads(1)


def narrow(model: nn.Module, divisor: int) -> nn.Module:
    """Replaces every Conv2d / BatchNorm2d / Linear by one with channels // divisor (3 input channels stay 3)."""
    shrink = lambda c: c if c == 3 else c // divisor  # noqa: E731
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, nn.Conv2d):
                new = nn.Conv2d(shrink(child.in_channels), shrink(child.out_channels), child.kernel_size,
                                child.stride, child.padding, bias=child.bias is not None)
            elif isinstance(child, nn.BatchNorm2d):
                new = nn.BatchNorm2d(shrink(child.num_features))
            elif isinstance(child, nn.Linear):
                new = nn.Linear(shrink(child.in_features), child.out_features)
            else:
                continue
            setattr(parent, name, new)
    return model


def randomize_bn(model: nn.Module) -> None:
    """Non-trivial affine parameters and running statistics for every batch norm."""
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.modules.batchnorm._BatchNorm):
                c = m.num_features
                if m.weight is not None:
                    m.weight.copy_(1 + 0.2 * torch.randn(c))
                if m.bias is not None:
                    m.bias.copy_(0.1 * torch.randn(c))
                m.running_mean.copy_(0.1 * torch.randn(c))
                m.running_var.copy_(0.5 + torch.rand(c))
                m.num_batches_tracked.fill_(7)


def state(model: nn.Module) -> dict:
    return {k: v.detach().clone().contiguous() for k, v in model.state_dict().items()}


def save(name: str, weights: dict, io: dict) -> None:
    safetensors_io.write(str(OUT / f"{name}.safetensors"), weights)
    safetensors_io.write(str(OUT / f"{name}_io.safetensors"), {k: v.detach().contiguous() for k, v in io.items()})
    print(f"{name}: {sum(v.numel() for v in weights.values())} weights; " +
          ", ".join(f"{k} {list(v.shape)} max|.|={v.abs().max().item():.3g}" for k, v in io.items() if v.is_floating_point()))


def features_hook(model: nn.Module):
    """Captures torchvision's pooled features (the input of fc)."""
    captured = {}
    model.fc.register_forward_hook(lambda m, inp, out: captured.__setitem__("h", inp[0].detach().clone()))
    return captured


def torchvision_case(name, model, x, train_step):
    randomize_bn(model)
    weights = state(model)
    captured = features_hook(model)
    model.eval()
    with torch.no_grad():
        logits = model(x)
    io = {"input": x, "features": captured["h"], "logits": logits}
    if train_step:
        model.train()
        out = model(x)
        (out * torch.linspace(-1, 1, out.numel()).reshape(out.shape)).sum().backward()
        io.update({"train_logits": out, "train_bn1_running_mean": model.bn1.running_mean,
                   "train_layer4_1_bn2_running_var": model.layer4[1].bn2.running_var,
                   "grad_conv1_weight": model.conv1.weight.grad, "grad_layer4_1_bn2_weight": model.layer4[1].bn2.weight.grad,
                   "grad_fc_weight": model.fc.weight.grad})
    save(name, weights, io)


# ---- 2. SimCLRv2 transcription of tf2/resnet.py + tf2/model.py ------------------------------------------------------

def bn2d(c, momentum=0.1, eps=1e-5):
    return nn.BatchNorm2d(c, eps=eps, momentum=momentum)


class SameAvgPool2x2(nn.Module):
    """tf.keras AveragePooling2D(2, strides, padding='SAME' if strides == 1 else 'VALID') after FixedPadding(2) at stride 2."""

    def __init__(self, stride):
        super().__init__()
        self.stride = stride

    def forward(self, x):
        if self.stride == 2:  # FixedPadding(kernel 2): pad 0 before, 1 after, then VALID: zeros count in the mean
            return F.avg_pool2d(F.pad(x, (0, 1, 0, 1)), 2, 2)
        # SAME, stride 1: pad one zero after; TF divides by the number of real (unpadded) elements of each window.
        total = F.avg_pool2d(F.pad(x, (0, 1, 0, 1)), 2, 1) * 4
        ones = F.pad(torch.ones_like(x[:1, :1]), (0, 1, 0, 1))
        count = F.avg_pool2d(ones, 2, 1) * 4
        return total / count


class SKConv(nn.Module):
    def __init__(self, cin, filters, stride, sk_ratio, min_dim=32):
        super().__init__()
        self.conv = nn.Conv2d(cin, 2 * filters, 3, stride, 1, bias=False)
        self.bn = bn2d(2 * filters)
        mid = max(int(filters * sk_ratio), min_dim)
        self.fc1 = nn.Conv2d(filters, mid, 1, bias=False)
        self.fc_bn = bn2d(mid)
        self.fc2 = nn.Conv2d(mid, 2 * filters, 1, bias=False)

    def forward(self, x):  # literal transcription of SK_Conv2D.call (channel axis 1)
        x = F.relu(self.bn(self.conv(x)))
        x = torch.stack(torch.split(x, x.shape[1] // 2, dim=1))
        g = torch.sum(x, dim=0).mean(dim=(2, 3), keepdim=True)
        g = F.relu(self.fc_bn(self.fc1(g)))
        mixing = self.fc2(g)
        mixing = torch.stack(torch.split(mixing, mixing.shape[1] // 2, dim=1))
        mixing = torch.softmax(mixing, dim=0)
        return torch.sum(x * mixing, dim=0)


class SE(nn.Module):
    def __init__(self, channels, filters, se_ratio):
        super().__init__()
        reduced = max(1, int(filters * se_ratio))
        self.fc1 = nn.Conv2d(channels, reduced, 1, bias=True)
        self.fc2 = nn.Conv2d(reduced, channels, 1, bias=True)

    def forward(self, x):
        s = x.mean(dim=(2, 3), keepdim=True)
        return torch.sigmoid(self.fc2(F.relu(self.fc1(s)))) * x


class SKBottleneck(nn.Module):
    def __init__(self, cin, filters, stride, projection, sk_ratio, se_ratio):
        super().__init__()
        out = 4 * filters
        self.conv1 = nn.Conv2d(cin, filters, 1, bias=False)
        self.bn1 = bn2d(filters)
        self.conv2 = SKConv(filters, filters, stride, sk_ratio)
        self.conv3 = nn.Conv2d(filters, out, 1, bias=False)
        self.bn3 = bn2d(out)
        self.se = SE(out, filters, se_ratio)
        self.downsample = nn.Sequential(SameAvgPool2x2(stride), nn.Conv2d(cin, out, 1, bias=False), bn2d(out)) if projection else None

    def forward(self, x):
        shortcut = self.downsample(x) if self.downsample is not None else x
        y = F.relu(self.bn1(self.conv1(x)))
        y = self.conv2(y)
        y = self.se(self.bn3(self.conv3(y)))
        return F.relu(y + shortcut)


class SKResNet50(nn.Module):
    """tf2/resnet.py Resnet with sk_ratio > 0 at ImageNet size: ResNet-D stem (3x3/2, 3x3, 3x3) + max-pool."""

    def __init__(self, in_channels, width, sk_ratio, se_ratio):
        super().__init__()
        c = int(64 * width)
        self.conv1 = nn.Sequential(nn.Conv2d(in_channels, c // 2, 3, 2, 1, bias=False), bn2d(c // 2), nn.ReLU(),
                                   nn.Conv2d(c // 2, c // 2, 3, 1, 1, bias=False), bn2d(c // 2), nn.ReLU(),
                                   nn.Conv2d(c // 2, c, 3, 1, 1, bias=False))
        self.bn1 = bn2d(c)
        cin = c
        for s, blocks in enumerate([3, 4, 6, 3]):
            filters = int(64 * 2 ** s * width)
            layers = []
            for i in range(blocks):
                layers.append(SKBottleneck(cin, filters, 2 if (i == 0 and s > 0) else 1, i == 0, sk_ratio, se_ratio))
                cin = 4 * filters
            setattr(self, f"layer{s + 1}", nn.Sequential(*layers))
        self.out_channels = cin

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)  # torchvision's max-pool padding (see stem.ts)
        for s in range(4):
            x = getattr(self, f"layer{s + 1}")(x)
        return x.mean(dim=(2, 3))


class ProjLayer(nn.Module):
    def __init__(self, cin, cout, last):
        super().__init__()
        self.linear = nn.Linear(cin, cout, bias=False)
        nn.init.normal_(self.linear.weight, std=0.01)
        self.bn = nn.BatchNorm1d(cout, eps=1e-5, momentum=0.1)
        if last:  # LinearLayer(use_bias=False, use_bn=True): BN with center=False (no beta)
            del self.bn.bias
            self.bn.register_parameter("bias", None)
        self.last = last

    def forward(self, x):
        y = self.bn(self.linear(x))
        return y if self.last else F.relu(y)


class SimCLRv2(nn.Module):
    def __init__(self, encoder, num_layers, out_dim, num_classes, selector):
        super().__init__()
        self.encoder = encoder
        c = encoder.out_channels
        self.projection_head = nn.Sequential(*[ProjLayer(c, out_dim if j == num_layers - 1 else c, j == num_layers - 1)
                                               for j in range(num_layers)])
        width = out_dim if selector in (-1, num_layers) else c
        self.supervised_head = nn.Linear(width, num_classes)
        self.selector = selector

    def forward(self, x):
        hiddens = [self.encoder(x)]
        for layer in self.projection_head:
            hiddens.append(layer(hiddens[-1]))
        return hiddens, self.supervised_head(hiddens[self.selector])


def sk_case():
    model = SimCLRv2(SKResNet50(1, 0.125, 0.0625, 0.25), 3, 16, 5, 1)
    randomize_bn(model)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, ProjLayer):
                m.linear.weight.normal_(0, 1 / m.linear.in_features ** 0.5)
    weights = state(model)
    x = torch.randn(6, 1, 72, 72)  # 72 -> 36 -> 18 -> 9 (odd: the stride-2 avg-pool pads) -> 5 -> 3
    model.eval()
    with torch.no_grad():
        hiddens, logits = model(x)
    io = {"input": x, "logits": logits, **{f"projection_{i}": h for i, h in enumerate(hiddens)}}
    model.train()
    hiddens, logits = model(x)
    (hiddens[-1] * torch.linspace(-1, 1, hiddens[-1].numel()).reshape(hiddens[-1].shape)).sum().backward()
    io.update({"train_z": hiddens[-1], "train_logits": logits,
               "train_conv2_fc_bn_running_mean": model.encoder.layer3[0].conv2.fc_bn.running_mean,
               "train_head_last_bn_running_var": model.projection_head[2].bn.running_var,
               "grad_stem_conv_weight": model.encoder.conv1[0].weight.grad,
               "grad_sk_fc2_weight": model.encoder.layer2[0].conv2.fc2.weight.grad,
               "grad_head_0_weight": model.projection_head[0].linear.weight.grad})
    save("simclr_sk_se_r50_w0125", weights, io)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    full = torchvision.models.resnet50()
    (OUT / "resnet50_torchvision_keys.json").write_text(json.dumps(
        {"num_parameters": sum(p.numel() for p in full.parameters()),
         "state_dict": [[k, list(v.shape)] for k, v in full.state_dict().items()]}) + "\n")

    r50 = narrow(torchvision.models.resnet50(num_classes=10), 8)
    torchvision_case("resnet50_w0125", r50, torch.randn(2, 3, 112, 112), train_step=False)

    r18 = torchvision.models.resnet18(num_classes=10)
    r18.conv1 = nn.Conv2d(3, 64, 3, 1, 1, bias=False)  # CIFAR stem
    r18.maxpool = nn.Identity()
    torchvision_case("resnet18_cifar_w0125", narrow(r18, 8), torch.randn(4, 3, 32, 32), train_step=True)

    sk_case()


if __name__ == "__main__":
    main()
