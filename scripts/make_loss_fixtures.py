#!/usr/bin/python3
"""Reference values for NT-Xent and the distillation loss, computed with PyTorch (run with /usr/bin/python3).

NT-Xent transcribes google-research/simclr tf2/objective.py add_contrastive_loss (single replica): the two
directions' batch-mean cross-entropies summed, and run.py's contrast_acc (argmax over the cross-view logits). Writes test/fixtures/losses/losses.json; run once, commit the output.
"""
import json
import pathlib
import torch
import torch.nn.functional as F

LARGE_NUM = 1e9
torch.manual_seed(1234)


def nt_xent(z, temperature, hidden_norm=True):
    h = F.normalize(z, dim=1) if hidden_norm else z
    h1, h2 = torch.chunk(h, 2, 0)
    n = h1.shape[0]
    labels = torch.arange(n)
    masks = F.one_hot(labels, n).to(z.dtype)
    aa = h1 @ h1.T / temperature - masks * LARGE_NUM
    bb = h2 @ h2.T / temperature - masks * LARGE_NUM
    ab = h1 @ h2.T / temperature
    ba = h2 @ h1.T / temperature
    loss_a = F.cross_entropy(torch.cat([ab, aa], 1), labels)
    loss_b = F.cross_entropy(torch.cat([ba, bb], 1), labels)
    contrast_acc = (ab.argmax(1) == labels).double().mean()
    return loss_a + loss_b, contrast_acc


cases = []
for n, d, t, norm in [(2, 3, 0.5, True), (4, 8, 0.1, True), (8, 16, 0.5, True), (5, 4, 1.0, False)]:
    z = torch.randn(2 * n, d, dtype=torch.float64, requires_grad=True)
    loss, acc = nt_xent(z, t, norm)
    loss.backward()
    cases.append({"n": n, "d": d, "temperature": t, "hidden_norm": norm, "z": z.detach().flatten().tolist(),
                  "loss": loss.item(), "grad": z.grad.flatten().tolist(), "contrast_acc": acc.item()})

distill = []
for n, c, t, sq in [(4, 10, 1.0, False), (6, 5, 2.0, True), (3, 7, 0.5, False)]:
    s = torch.randn(n, c, dtype=torch.float64, requires_grad=True)
    te = torch.randn(n, c, dtype=torch.float64)
    loss = -(F.softmax(te / t, 1) * F.log_softmax(s / t, 1)).sum(1).mean()
    if sq:
        loss = loss * t * t
    loss.backward()
    distill.append({"n": n, "c": c, "temperature": t, "squared": sq, "student": s.detach().flatten().tolist(),
                    "teacher": te.flatten().tolist(), "loss": loss.item(), "grad": s.grad.flatten().tolist()})

out = pathlib.Path(__file__).resolve().parent.parent / "test/fixtures/losses/losses.json"
out.write_text(json.dumps({"torch": torch.__version__, "ntxent": cases, "distillation": distill}))
print("wrote", out)
