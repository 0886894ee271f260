#!/usr/bin/python3
"""PyTorch CPU peer of bench/models.ts: the same four models, the same step and timing protocol.

Prints one JSON object per line on stdout (read by scripts/bench.ts):
  {"kind": "info", ...}                         versions, torch.get_num_threads(), numpy's BLAS
  {"kind": "model", "model": "M1", ...}         training throughput (images/second)
  {"kind": "matmul", "n": 512, "gflops": ...}   numpy float32 matmul
  {"kind": "error", "model": ..., "reason": ...} a cell that could not run (e.g. torch missing)

PyTorch's thread settings are left at their defaults on purpose (recorded in the info line).
Run with Debian's interpreter: /usr/bin/python3 bench/torch_peer.py --models M1,M2,M3,M4 --seconds 2
"""
import argparse
import json
import sys
import time

import numpy as np

BATCH = 64
LATENT = 100


def emit(obj):
    print(json.dumps(obj), flush=True)


def measure(step, seconds, max_cell_seconds):
    """Same protocol as scripts/bench.ts: warm-up, then steps until `seconds` pass (at least one)."""
    t0 = time.perf_counter()
    first = None
    for _ in range(2):  # warm-up: two steps, or one when a step alone is slow
        t = time.perf_counter()
        step()
        first = time.perf_counter() - t
        if time.perf_counter() - t0 >= min(seconds, max_cell_seconds / 3):
            break
    budget = max(0.0, min(seconds, max_cell_seconds - (time.perf_counter() - t0)))
    steps, t1 = 0, time.perf_counter()
    while True:
        step()
        steps += 1
        elapsed = time.perf_counter() - t1
        if elapsed >= budget or elapsed + elapsed / steps > max_cell_seconds - (t1 - t0):
            break
    return steps, elapsed, first


def build(torch, name, rng_seed):
    nn = torch.nn
    torch.manual_seed(rng_seed)
    gen = torch.Generator().manual_seed(rng_seed + 1)
    if name == "M1":
        model = nn.Sequential(
            nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 64), nn.ReLU(),
            nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 784), nn.Sigmoid())
        x = torch.rand(BATCH, 784, generator=gen)
    elif name == "M2":
        # padding=1 (+ output_padding=1 on the transposes) gives the same shapes as TF's "same" at stride 2.
        model = nn.Sequential(
            nn.Conv2d(1, 16, 3, 2, 1), nn.ReLU(), nn.Conv2d(16, 32, 3, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 16, 3, 2, 1, output_padding=1), nn.ReLU(),
            nn.ConvTranspose2d(16, 1, 3, 2, 1, output_padding=1), nn.Sigmoid())
        x = torch.rand(BATCH, 1, 28, 28, generator=gen)
    elif name == "M3":
        return build_gan(torch, gen)
    else:
        return build_cgan(torch, gen)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    mse = nn.MSELoss()

    def step():
        opt.zero_grad(set_to_none=True)
        loss = mse(model(x), x)
        loss.backward()
        opt.step()
        return loss.item()  # the per-step synchronisation point, as in the tfjs loop

    return step, {"model": sum(p.numel() for p in model.parameters())}


def build_gan(torch, gen):
    nn = torch.nn

    class Reshape(nn.Module):
        def forward(self, x):
            return x.view(-1, 128, 7, 7)

    G = nn.Sequential(
        nn.Linear(LATENT, 7 * 7 * 128, bias=False), Reshape(), nn.BatchNorm2d(128), nn.ReLU(),
        nn.ConvTranspose2d(128, 64, 5, 2, 2, output_padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
        nn.ConvTranspose2d(64, 1, 5, 2, 2, output_padding=1), nn.Tanh())
    D = nn.Sequential(
        nn.Conv2d(1, 64, 5, 2, 2), nn.LeakyReLU(0.2), nn.Conv2d(64, 128, 5, 2, 2), nn.LeakyReLU(0.2),
        nn.Flatten(), nn.Linear(7 * 7 * 128, 1))
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    real = torch.rand(BATCH, 1, 28, 28, generator=gen) * 2 - 1
    z = torch.randn(BATCH, LATENT, generator=gen)
    ones, zeros = torch.ones(BATCH, 1), torch.zeros(BATCH, 1)

    def step():
        # The same work as the tfjs step: D update on real + G(z) without a gradient into G,
        # then a G update with a fresh G forward pass and no gradient for D's weights.
        with torch.no_grad():
            fake = G(z)
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce(D(real), ones) + bce(D(fake), zeros)
        d_loss.backward()
        d_opt.step()
        for p in D.parameters():
            p.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce(D(G(z)), ones)
        g_loss.backward()
        g_opt.step()
        for p in D.parameters():
            p.requires_grad_(True)
        return d_loss.item() + g_loss.item()

    count = lambda m: sum(p.numel() for p in m.parameters()) + sum(b.numel() for n, b in m.named_buffers() if "running" in n)
    return step, {"generator": count(G), "discriminator": count(D)}


def build_cgan(torch, gen):
    """M4: the conditional GAN of notebook 06 and the study's step (lib/models/cgan.ts, lib/train/gan.ts)."""
    nn, F = torch.nn, torch.nn.functional
    latent, classes = 16, 10

    class Generator(nn.Module):
        # [z, one-hot] -> Dense 7*7*64 (no bias) -> BN -> ReLU -> ConvT 32 (no bias) -> BN -> ReLU -> ConvT 1 -> tanh.
        # tfjs normalises the dense output per unit before reshaping, hence BatchNorm1d(3136).
        def __init__(self):
            super().__init__()
            self.project = nn.Linear(latent + classes, 7 * 7 * 64, bias=False)
            self.project_bn = nn.BatchNorm1d(7 * 7 * 64)
            self.convt = nn.ConvTranspose2d(64, 32, 3, 2, 1, output_padding=1, bias=False)
            self.bn = nn.BatchNorm2d(32)
            self.out = nn.ConvTranspose2d(32, 1, 3, 2, 1, output_padding=1)

        def forward(self, z, y):
            x = F.relu(self.project_bn(self.project(torch.cat([z, y], 1)))).view(-1, 64, 7, 7)
            return torch.tanh(self.out(F.relu(self.bn(self.convt(x)))))

    class Discriminator(nn.Module):
        # [image, label planes] (11 channels) -> Conv 32 -> LeakyReLU -> Conv 64 -> LeakyReLU -> Dense 1.
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1 + classes, 32, 3, 2, 1)
            self.conv2 = nn.Conv2d(32, 64, 3, 2, 1)
            self.logit = nn.Linear(7 * 7 * 64, 1)

        def forward(self, x, y):
            planes = y.view(-1, classes, 1, 1).expand(-1, classes, x.shape[2], x.shape[3])
            h = F.leaky_relu(self.conv1(torch.cat([x, planes], 1)), 0.2)
            return self.logit(torch.flatten(F.leaky_relu(self.conv2(h), 0.2), 1))

    G, D = Generator(), Discriminator()
    g_opt = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = torch.rand(BATCH, 1, 28, 28, generator=gen) * 2 - 1
    labels = F.one_hot(torch.randint(0, classes, (BATCH,), generator=gen), classes).float()
    smooth = 0.1  # one-sided label smoothing of the study's step

    def bce(logits, target):
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))

    def codes():
        # Fresh codes and uniformly drawn labels every time, as lib/train/gan.ts draws them.
        return torch.randn(BATCH, latent, generator=gen), F.one_hot(torch.randint(0, classes, (BATCH,), generator=gen), classes).float()

    def step():
        # D on real images with their labels and on fakes judged against the labels they were made for
        # (no gradient into G); then G through D with fresh codes (no gradient for D's weights). Like the
        # tfjs step, it reads both losses and the three accuracies back.
        z, y = codes()
        with torch.no_grad():
            fake = G(z, y)
        d_opt.zero_grad(set_to_none=True)
        real_logits, fake_logits = D(real, labels), D(fake, y)
        d_loss = bce(real_logits, 1 - smooth) + bce(fake_logits, 0.0)
        d_loss.backward()
        d_opt.step()
        acc = ((real_logits > 0).float().mean().item(), (fake_logits <= 0).float().mean().item())
        for p in D.parameters():
            p.requires_grad_(False)
        z, y = codes()
        g_opt.zero_grad(set_to_none=True)
        logits = D(G(z, y), y)
        g_loss = bce(logits, 1.0)
        g_loss.backward()
        g_opt.step()
        fool = (logits > 0).float().mean().item()
        for p in D.parameters():
            p.requires_grad_(True)
        return d_loss.item() + g_loss.item() + sum(acc) + fool

    count = lambda m: sum(p.numel() for p in m.parameters()) + sum(b.numel() for n, b in m.named_buffers() if "running" in n)
    return step, {"generator": count(G), "discriminator": count(D)}


def matmul_gflops(n, seconds):
    rng = np.random.default_rng(n)
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b  # warm-up
    reps, t0 = 0, time.perf_counter()
    while reps < 3 or time.perf_counter() - t0 < seconds:
        a @ b
        reps += 1
    return 2 * n ** 3 * reps / (time.perf_counter() - t0) / 1e9


def blas_name():
    """The BLAS library numpy really loaded (Debian routes libblas.so.3 through alternatives)."""
    try:
        with open("/proc/self/maps") as maps:
            libs = sorted({line.split()[-1].rsplit("/", 1)[-1] for line in maps if "blas" in line and "/" in line})
        return ",".join(libs) or "unknown"
    except OSError:
        return "unknown"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--models", default="M1,M2,M3,M4")
    ap.add_argument("--seconds", type=float, default=2.0)
    ap.add_argument("--max-cell-seconds", type=float, default=60.0)
    ap.add_argument("--matmul", default="512,1024")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=None, help="torch.set_num_threads (default: torch's own)")
    args = ap.parse_args()

    info = {"kind": "info", "python": sys.version.split()[0], "numpy": np.__version__, "blas": blas_name()}
    try:
        import torch
        if args.threads:
            torch.set_num_threads(args.threads)
        info.update(torch=torch.__version__, torch_threads=torch.get_num_threads())
    except Exception as e:  # the matmul rows still run on numpy
        torch = None
        info.update(torch=None, torch_error=f"{type(e).__name__}: {e}")
    emit(info)

    for name in [m for m in args.models.split(",") if m]:
        if torch is None:
            emit({"kind": "error", "model": name, "reason": "PyTorch is not importable: " + info["torch_error"]})
            continue
        try:
            step, params = build(torch, name, args.seed)
            steps, elapsed, first = measure(step, args.seconds, args.max_cell_seconds)
            emit({"kind": "model", "model": name, "img_per_s": steps * BATCH / elapsed, "steps": steps,
                  "seconds": elapsed, "first_step_s": first, "params": params})
        except Exception as e:
            emit({"kind": "error", "model": name, "reason": f"{type(e).__name__}: {e}"})

    for n in [int(v) for v in args.matmul.split(",") if v]:
        emit({"kind": "matmul", "n": n, "gflops": matmul_gflops(n, min(args.seconds, 2.0) / 2)})


if __name__ == "__main__":
    main()
