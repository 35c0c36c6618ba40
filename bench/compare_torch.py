#!/usr/bin/env python3
"""compare_torch.py -- llprobe against PyTorch, side by side, in one run.

Follows BENCHMARKING.md. For each configuration (A 2-16-16-2 batch 256,
B 64-128-128-10 batch 1797 digits, C 784-256-256-10 batch 1024):

 1. runs `bench_mlp --dump DIR --no-timing` and reads the exact weights, data,
    HVP vector and surface directions llprobe times, with llprobe's loss,
    gradient, HVP and a few surface losses on them;
 2. builds the same MLP in PyTorch (nn.Linear + nn.Tanh, F.cross_entropy,
    mean over the batch), loads those weights and data, and checks BEFORE any
    timing that PyTorch's loss, gradient and HVP (double backward, as PyHessian
    does it) agree with llprobe's to 1e-10 relative (float64); refuses to go on
    otherwise;
 3. times both sides, alternating: bench_mlp (a subprocess, --all) for the
    configuration, then PyTorch for the same configuration (with --rounds R,
    R rounds whose order alternates), with the same method on both sides
    (warm-up, then interleaved slices until each op has >= 1 s and >= 5 runs,
    3 for hvp40 and the surface; medians).

It refuses to report ratios unless PyTorch runs on OpenBLAS (BENCHMARKING.md:
with Debian's reference BLAS PyTorch is about 8x slower on B and C). Run as

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp taskset -c 1 \\
      /usr/bin/python3 bench/compare_torch.py build-rel/bench/bench_mlp

Dependencies: the standard library, torch and numpy.
"""
import argparse
import ctypes
import datetime
import hashlib
import json
import os
import platform
import struct
import subprocess
import sys
import tempfile
import time
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
SURF_N = 51
N_HVP40 = 40
OPS = ["loss", "loss+grad", "hvp", "hvp40", "surface"]
MIN_RUNS = {"loss": 5, "loss+grad": 5, "hvp": 5, "hvp40": 3, "surface": 3}
CONFIG_NAMES = "ABC"


def parse_args():
    p = argparse.ArgumentParser(description="llprobe vs PyTorch, side by side (see BENCHMARKING.md)")
    p.add_argument("bench", nargs="?", default=os.path.join("build", "bench", "bench_mlp"),
                   help="path to the bench_mlp binary (default build/bench/bench_mlp)")
    p.add_argument("--config", default="ABC", help="configurations, any of A, B, C (default ABC)")
    p.add_argument("--threads", type=int, default=1, help="PyTorch threads (default 1); llprobe runs 1 thread")
    p.add_argument("--float32", action="store_true",
                   help="PyTorch in float32 (llprobe's float build is not measured yet: torch numbers only)")
    p.add_argument("--quick", action="store_true", help="0.2 s per measurement and one surface run (smoke run)")
    p.add_argument("--min-time", type=float, default=None, help="seconds per measurement (default 1, --quick 0.2)")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds per configuration, alternating which side goes first (default 1)")
    p.add_argument("--digits", default=os.path.join(ROOT, "data", "digits.csv"), help="path to digits.csv")
    p.add_argument("--keep-dump", metavar="DIR", help="write the dumps to DIR and keep them (default: a temp dir)")
    a = p.parse_args()
    if not a.config or any(c not in CONFIG_NAMES for c in a.config):
        p.error("--config takes letters from ABC")
    if a.threads < 1 or a.rounds < 1:
        p.error("--threads and --rounds must be >= 1")
    if a.min_time is None:
        a.min_time = 0.2 if a.quick else 1.0
    return a


ARGS = parse_args()
# Thread counts are fixed before torch (and its OpenMP/OpenBLAS) is loaded.
os.environ["OMP_NUM_THREADS"] = str(ARGS.threads)
os.environ["OPENBLAS_NUM_THREADS"] = str(ARGS.threads)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


def say(*a):
    print(*a, flush=True)


# ---- environment -------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def loadavg():
    try:
        with open("/proc/loadavg") as f:
            return f.read().strip()
    except OSError:
        return "unknown"


def blas_info(dtype):
    """(kind, provider, mapped, detail). provider: the file that defines the
    gemm PyTorch calls (dgemm_ / sgemm_, looked up from libtorch_cpu the way
    the dynamic linker resolves it); kind: 'openblas', 'reference' or 'other'.
    The list of mapped files alone is not enough: with the reference
    libblas.so.3 first on the path, liblapack.so.3 may still pull in
    libopenblas, which is then mapped but not what torch.mm runs."""
    a = torch.ones(8, 8, dtype=dtype)
    torch.mm(a, a)  # make sure the BLAS is loaded and used
    maps = []
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 6:
                lo, hi = (int(x, 16) for x in parts[0].split("-"))
                maps.append((lo, hi, parts[5]))
    mapped = sorted({m[2] for m in maps if any(k in os.path.basename(m[2])
                                                for k in ("blas", "lapack", "mkl", "blis", "atlas"))})
    provider = None
    sym = "sgemm_" if dtype == torch.float32 else "dgemm_"
    for path in sorted({m[2] for m in maps if os.path.basename(m[2]).startswith("libtorch_cpu")}):
        try:
            addr = ctypes.cast(getattr(ctypes.CDLL(path), sym), ctypes.c_void_p).value
        except (OSError, AttributeError):
            continue
        hits = [m[2] for m in maps if m[0] <= addr < m[1]]
        if hits:
            provider = hits[0]
            break
    if provider is None:
        return "other", "unknown (%s not found through libtorch_cpu)" % sym, mapped, ""
    real = os.path.realpath(provider)
    detail = ""
    if "openblas" in real:
        kind = "openblas"
        for p in mapped:
            if os.path.basename(p).startswith("libopenblas"):
                try:
                    lib = ctypes.CDLL(p)
                    lib.openblas_get_config.restype = ctypes.c_char_p
                    lib.openblas_get_corename.restype = ctypes.c_char_p
                    detail = "%s; core %s" % (lib.openblas_get_config().decode(),
                                              lib.openblas_get_corename().decode())
                except (OSError, AttributeError):
                    pass
                break
    elif "/blas/" in real or os.path.basename(real).startswith("libblas"):
        kind, detail = "reference", "netlib reference BLAS"
    else:
        kind = "other"
    return kind, "%s from %s" % (sym, provider), mapped, detail


def build_info(bench):
    """(description, openmp) of the bench_mlp binary, from its Meson build
    directory; openmp is None when unknown."""
    d = os.path.dirname(os.path.dirname(os.path.abspath(bench)))
    try:
        with open(os.path.join(d, "meson-info", "intro-buildoptions.json")) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
        omp = opts.get("openmp", "disabled")
        return "%s (optimization %s, debug %s, c_args %s, float %s, openmp %s)" % (
            opts.get("buildtype"), opts.get("optimization"), opts.get("debug"), opts.get("c_args"),
            opts.get("float", False), omp), omp == "enabled"
    except (OSError, ValueError, KeyError):
        return "unknown (no meson-info next to %s)" % bench, None


def header_info(bench):
    h = os.path.join(ROOT, "llprobe.h")
    try:
        with open(h, "rb") as f:
            sha = hashlib.sha256(f.read()).hexdigest()[:12]
    except OSError:
        return "llprobe.h not found"
    rev = "?"
    dirty = ""
    try:
        rev = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True,
                             text=True, check=True).stdout.strip()
        if subprocess.run(["git", "-C", ROOT, "diff", "--quiet", "HEAD", "--", "llprobe.h"]).returncode:
            dirty = " + uncommitted changes"
    except (OSError, subprocess.CalledProcessError):
        pass
    stale = ""
    try:
        if os.path.getmtime(h) > os.path.getmtime(bench):
            stale = "  WARNING: llprobe.h is newer than %s (rebuild?)" % bench
    except OSError:
        pass
    return "llprobe.h at commit %s%s, sha256 %s%s" % (rev, dirty, sha, stale)


# ---- the dump -------------------------------------------------------------------

class Dump:
    pass


def read_dump(path):
    with open(path, "rb") as f:
        buf = f.read()
    if buf[:8] != b"LLPBENCH":
        raise SystemExit("%s: not an llprobe benchmark dump" % path)
    (crc,) = struct.unpack_from("<I", buf, len(buf) - 4)
    if zlib.crc32(buf[:-4]) != crc:
        raise SystemExit("%s: CRC-32 mismatch" % path)
    d = Dump()
    off = 8
    (version,) = struct.unpack_from("<I", buf, off)
    off += 4
    if version != 1:
        raise SystemExit("%s: dump version %d, this script reads 1" % (path, version))
    d.name = buf[off:off + 8].rstrip(b"\0").decode()
    off += 8
    (L,) = struct.unpack_from("<I", buf, off)
    off += 4
    d.sizes = list(struct.unpack_from("<%dI" % (L + 1), buf, off))
    off += 4 * (L + 1)
    d.batch, d.n = struct.unpack_from("<QQ", buf, off)
    off += 16
    (d.real_bytes,) = struct.unpack_from("<I", buf, off)
    off += 4

    def reals(cnt):
        nonlocal off
        x = np.frombuffer(buf, dtype="<f8", count=cnt, offset=off).astype(np.float64)
        off += 8 * cnt
        return x

    d.theta = reals(d.n)
    d.X = reals(d.batch * d.sizes[0]).reshape(d.batch, d.sizes[0])
    d.labels = np.frombuffer(buf, dtype="<i4", count=d.batch, offset=off).astype(np.int64)
    off += 4 * d.batch
    d.v = reals(d.n)
    (d.loss,) = struct.unpack_from("<d", buf, off)
    off += 8
    d.grad = reals(d.n)
    d.hv = reals(d.n)
    d.d1 = reals(d.n)
    d.d2 = reals(d.n)
    (npts,) = struct.unpack_from("<I", buf, off)
    off += 4
    d.points = []
    for _ in range(npts):
        i, j, lo = struct.unpack_from("<IId", buf, off)
        off += 16
        d.points.append((i, j, lo))
    if off != len(buf) - 4:
        raise SystemExit("%s: %d bytes left over" % (path, len(buf) - 4 - off))
    expect = sum((d.sizes[l] + 1) * d.sizes[l + 1] for l in range(L))
    if expect != d.n:
        raise SystemExit("%s: %d parameters for sizes %s, expected %d" % (path, d.n, d.sizes, expect))
    return d


def surf_coef(i):
    # exactly as bench_mlp.c: -1 + 2 i / (SURF_N - 1)
    return -1.0 + 2.0 * i / (SURF_N - 1)


# ---- the PyTorch side -----------------------------------------------------------

class TorchSide:
    """The MLP of a dump in PyTorch: nn.Linear/nn.Tanh layers whose parameters
    are views into one flat buffer laid out as llprobe's theta (W_l row-major
    (out, in), then b_l, layer after layer: the order of model.parameters())."""

    def __init__(self, d, dtype):
        self.dtype = dtype
        layers = []
        L = len(d.sizes) - 1
        for l in range(L):
            layers.append(torch.nn.Linear(d.sizes[l], d.sizes[l + 1]))
            if l < L - 1:
                layers.append(torch.nn.Tanh())
        self.model = torch.nn.Sequential(*layers).to(dtype)
        self.params = list(self.model.parameters())
        self.flat = torch.zeros(d.n, dtype=dtype)
        off = 0
        for p in self.params:
            k = p.numel()
            p.data = self.flat[off:off + k].view_as(p)
            off += k
        assert off == d.n
        self.theta0 = torch.from_numpy(d.theta).to(dtype)
        self.flat.copy_(self.theta0)
        self.X = torch.from_numpy(d.X).to(dtype).contiguous()
        self.y = torch.from_numpy(d.labels)
        self.v = self.split(torch.from_numpy(d.v).to(dtype))
        self.d1 = torch.from_numpy(d.d1).to(dtype)
        self.d2 = torch.from_numpy(d.d2).to(dtype)
        g = torch.Generator().manual_seed(20240601 + ord(d.name))
        self.V40 = [self.split(torch.randn(d.n, generator=g, dtype=torch.float64).to(dtype)) for _ in range(N_HVP40)]
        self.sink = []

    def split(self, flat):
        out, off = [], 0
        for p in self.params:
            k = p.numel()
            out.append(flat[off:off + k].view_as(p).contiguous())
            off += k
        return out

    @staticmethod
    def cat(ts):
        return torch.cat([t.reshape(-1) for t in ts])

    def loss(self):
        return F.cross_entropy(self.model(self.X), self.y)  # mean over the batch

    # -- the timed operations; each is one measurement --
    def op_loss(self):
        with torch.no_grad():
            return self.loss()

    def op_grad(self):
        return torch.autograd.grad(self.loss(), self.params)

    def op_hvp(self, v=None):
        g = torch.autograd.grad(self.loss(), self.params, create_graph=True)
        return torch.autograd.grad(g, self.params, grad_outputs=self.v if v is None else v)

    def op_hvp40(self):
        # one graph for the 40 vectors (PyHessian's way): forward and first
        # backward once, then 40 double-backward passes with retain_graph=True
        g = torch.autograd.grad(self.loss(), self.params, create_graph=True)
        for v in self.V40:
            hv = torch.autograd.grad(g, self.params, grad_outputs=v, retain_graph=True)
        return hv

    def surface_rows(self, rows, out=None):
        # parameters set in place: flat = theta0 + a d1 + b d2 (two ops)
        with torch.no_grad():
            for i in rows:
                a = surf_coef(i)
                for j in range(SURF_N):
                    torch.add(self.theta0, self.d1, alpha=a, out=self.flat)
                    self.flat.add_(self.d2, alpha=surf_coef(j))
                    lo = self.loss()
                    if out is not None:
                        out[(i, j)] = lo
            self.flat.copy_(self.theta0)

    def op_surface(self):
        self.surface_rows(range(SURF_N))

    def ops(self):
        return {"loss": self.op_loss, "loss+grad": self.op_grad, "hvp": self.op_hvp, "hvp40": self.op_hvp40,
                "surface": self.op_surface}

    def warmups(self):
        w = self.ops()
        w["surface"] = lambda: self.surface_rows([SURF_N // 2])  # the middle row, as bench_mlp
        return w


def rel(a, b):
    """Relative error of a against the reference b (2-norm for vectors)."""
    a = torch.as_tensor(a, dtype=torch.float64)
    b = torch.as_tensor(b, dtype=torch.float64)
    return float(torch.linalg.vector_norm(a - b) / torch.linalg.vector_norm(b))


def agreement(ts, d):
    """PyTorch against llprobe's dumped values, before any timing."""
    err = {}
    loss = ts.loss()
    err["loss"] = rel(loss.detach(), d.loss)
    g = torch.autograd.grad(loss, ts.params)
    err["grad"] = rel(ts.cat(g), d.grad)
    err["hvp"] = rel(ts.cat(ts.op_hvp()), d.hv)
    # the graph-reuse path of hvp40, for the dumped v
    gg = torch.autograd.grad(ts.loss(), ts.params, create_graph=True)
    hv1 = torch.autograd.grad(gg, ts.params, grad_outputs=ts.v, retain_graph=True)
    hv2 = torch.autograd.grad(gg, ts.params, grad_outputs=ts.v, retain_graph=True)
    err["hvp (reused graph)"] = max(rel(ts.cat(hv1), d.hv), rel(ts.cat(hv2), d.hv))
    # the surface path, at the dumped grid points
    got = {}
    ts.surface_rows(sorted({i for i, _, _ in d.points}), got)
    err["surface points"] = max(rel(got[(i, j)], lo) for i, j, lo in d.points)
    # and the parameters are back at theta0
    err["theta restored"] = rel(ts.flat, d.theta)
    return err


# ---- timing: the method of bench_mlp.c, in Python -------------------------------

def quantile(t, q):
    pos = q * (len(t) - 1)
    i = int(pos)
    if i + 1 >= len(t):
        return t[-1]
    return t[i] + (pos - i) * (t[i + 1] - t[i])


def measure(ops, warm, min_time, min_runs):
    """Warm up every op (>= 1 call and min_time/10), then time them in
    interleaved slices of min_time/5 until each has >= min_time and
    >= min_runs[op] runs. Returns {op: (runs, median, q1, q3, min,
    cpu_median)} in s: wall clock, and the median process CPU time."""
    clock = time.perf_counter
    cpu = time.process_time
    for name in ops:
        t0 = clock()
        while True:
            warm[name]()
            if clock() - t0 >= 0.1 * min_time:
                break
    samples = {name: [] for name in ops}
    cpus = {name: [] for name in ops}
    pending = True
    while pending:
        pending = False
        for name, fn in ops.items():
            s = samples[name]
            if sum(s) >= min_time and len(s) >= min_runs[name]:
                continue
            pending = True
            t0 = clock()
            while True:
                c1 = cpu()
                t1 = clock()
                fn()
                t2 = clock()
                cpus[name].append(cpu() - c1)
                s.append(t2 - t1)
                if t2 - t0 >= 0.2 * min_time:
                    break
    out = {}
    for name, s in samples.items():
        s.sort()
        c = sorted(cpus[name])
        out[name] = (len(s), quantile(s, 0.5), quantile(s, 0.25), quantile(s, 0.75), s[0], quantile(c, 0.5))
    return out


def min_runs():
    """Minimum runs per op and round. The surface (the long one) needs 3 in
    all: with R rounds, ceil(3 / R) per round (1 with --quick)."""
    m = dict(MIN_RUNS)
    m["surface"] = 1 if ARGS.quick else -(-MIN_RUNS["surface"] // ARGS.rounds)
    return m


def run_c(bench, cfg, extra, log):
    cmd = [bench, "--config", cfg, "--threads", str(ARGS.threads), "--min-time", repr(ARGS.min_time),
           "--surface-runs", str(min_runs()["surface"])]
    if ARGS.quick:
        cmd.append("--quick")
    cmd += extra + [ARGS.digits]
    p = subprocess.run(cmd, capture_output=True, text=True)
    log.append("$ " + " ".join(cmd) + "\n" + p.stdout + p.stderr)
    if p.returncode != 0:
        say(p.stdout + p.stderr)
        raise SystemExit("bench_mlp failed (exit status %d): %s" % (p.returncode, " ".join(cmd)))
    return p.stdout


def time_c(bench, cfg, log):
    out = run_c(bench, cfg, ["--all", "--tsv"], log)
    res, flops = {}, {}
    for line in out.splitlines():
        if line.startswith("result\t"):
            f = line.split("\t")
            res[f[2]] = (int(f[3]), float(f[4]), float(f[5]), float(f[6]), float(f[7]), float(f[10]))
            flops[f[2]] = float(f[8])
        elif line.startswith("load average"):
            say("    [llprobe] " + line)
    missing = [o for o in OPS if o not in res]
    if missing:
        raise SystemExit("bench_mlp printed no result for %s" % missing)
    return res, flops


def time_torch(ts):
    say("    [torch]   load average: " + loadavg())
    return measure(ts.ops(), ts.warmups(), ARGS.min_time, min_runs())


def mm_peak(dtype):
    n = 1024
    g = torch.Generator().manual_seed(1)
    a = torch.randn(n, n, generator=g, dtype=torch.float64).to(dtype)
    b = torch.randn(n, n, generator=g, dtype=torch.float64).to(dtype)
    c = torch.empty(n, n, dtype=dtype)
    fn = lambda: torch.mm(a, b, out=c)  # noqa: E731
    r = measure({"mm": fn}, {"mm": fn}, ARGS.min_time, {"mm": 5})["mm"]
    return 2.0 * n ** 3 / r[1] * 1e-9, 2.0 * n ** 3 / r[5] * 1e-9, r


def combine(rounds):
    """One (runs, median, lo, hi, cpu_median) per op over rounds: with one
    round its median and IQR; with several, the median of the round medians
    and their range (CPU time: the median of the round medians)."""
    out = {}
    for op in OPS:
        meds = sorted(r[op][1] for r in rounds)
        cpu = quantile(sorted(r[op][5] for r in rounds), 0.5)
        if len(rounds) == 1:
            n, med, q1, q3 = rounds[0][op][:4]
            out[op] = (n, med, q1, q3, cpu)
        else:
            out[op] = (sum(r[op][0] for r in rounds), quantile(meds, 0.5), meds[0], meds[-1], cpu)
    return out


# ---- main -----------------------------------------------------------------------

def fmt_ms(x):
    ms = 1e3 * x
    return "%.4g" % ms if ms < 1e4 else "%.0f" % ms


def main():
    dtype = torch.float32 if ARGS.float32 else torch.float64
    bench = ARGS.bench
    if not ARGS.float32 and not (os.path.isfile(bench) and os.access(bench, os.X_OK)):
        raise SystemExit("no bench_mlp binary at %s (build it, or pass its path)" % bench)
    torch.set_num_threads(ARGS.threads)
    try:
        aff = sorted(os.sched_getaffinity(0))
    except AttributeError:
        aff = []

    say("compare_torch.py: llprobe vs PyTorch, side by side (BENCHMARKING.md)")
    say("date:        %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%a %Y-%m-%d %H:%M:%S UTC"))
    say("cpu:         %s, %d logical CPUs; this process may run on CPUs %s" % (cpu_model(), os.cpu_count(), aff))
    say("load avg:    %s (start)" % loadavg())
    say("python %s, torch %s, numpy %s; torch threads %d (OMP_NUM_THREADS=%s)" % (
        platform.python_version(), torch.__version__, np.__version__, torch.get_num_threads(),
        os.environ.get("OMP_NUM_THREADS")))
    kind, provider, mapped, detail = blas_info(dtype)
    say("BLAS:        %s: %s%s" % (kind, provider, " (%s)" % detail if detail else ""))
    say("             mapped: %s" % (", ".join(mapped) or "none"))
    omp = None
    if not ARGS.float32:
        desc, omp = build_info(bench)
        say("bench_mlp:   %s, build %s" % (bench, desc))
        say("             %s" % header_info(bench))
    say("dtype:       %s; per measurement >= %.2g s and >= %s runs per round; %d round(s) per config" % (
        "float32" if ARGS.float32 else "float64", ARGS.min_time,
        "/".join("%s %d" % (k, v) for k, v in min_runs().items()), ARGS.rounds))
    if ARGS.threads == 1 and len(aff) > 1:
        say("WARNING: not pinned to one CPU; on a shared machine run under `taskset -c 1`")
    if ARGS.threads > 1:
        say("NOTE: PyTorch runs %d threads; llprobe %s" % (ARGS.threads, {
            True: "too, in its dense products (OpenMP build)",
            False: "1 (bench_mlp built without OpenMP: its --threads is only printed)",
            None: "as many as its build allows (OpenMP builds: dense products only)"}[omp]))
    if kind != "openblas":
        say("\nREFUSED: PyTorch's gemm is not OpenBLAS (%s). With the reference BLAS it is about 8x slower\n"
            "on B and C and a comparison would mean nothing. Run it as\n"
            "  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 %s"
            % (kind, " ".join(sys.argv)))
        return 3

    peaks = []

    def measure_peak(when):
        p, p_cpu, pr = mm_peak(dtype)
        peaks.append(p)
        say("torch.mm 1024x1024 %s %s: %.1f GFLOP/s (median %.2f ms, %d runs; %.1f GFLOP/s per second of CPU time,"
            " %.0f%% of the wall time on CPU)" % ("float32" if ARGS.float32 else "float64", when, p, 1e3 * pr[1],
                                                  pr[0], p_cpu, 100 * pr[5] / pr[1]))

    measure_peak("at the start")
    say("")

    tmp = None
    dump_dir = ARGS.keep_dump
    if not dump_dir:
        tmp = tempfile.TemporaryDirectory(prefix="llpbench-")
        dump_dir = tmp.name
    tol = 1e-3 if ARGS.float32 else 1e-10
    log = []
    rows = []
    all_errs = {}
    for ci, cfg in enumerate(ARGS.config):
        # 1. the exact weights, data and llprobe's values
        if ARGS.float32 and not os.access(bench, os.X_OK):
            raise SystemExit("--float32 still needs bench_mlp for the weights and data")
        out = run_c(bench, cfg, ["--dump", dump_dir, "--no-timing"], log)
        for line in out.splitlines():
            if line.startswith(cfg + ":"):
                say("    [llprobe] " + line)
        d = read_dump(os.path.join(dump_dir, "llpbench_%s.bin" % cfg))
        ts = TorchSide(d, dtype)
        # 2. agreement, before timing
        errs = agreement(ts, d)
        all_errs[cfg] = errs
        bad = {k: e for k, e in errs.items() if not e <= tol}
        say("%s %s batch %d, %d params: torch vs llprobe, relative: %s -> %s" % (
            cfg, "-".join(map(str, d.sizes)), d.batch, d.n,
            ", ".join("%s %.1e" % kv for kv in errs.items()),
            "agree (<= %g)" % tol if not bad else "DISAGREE"))
        if bad:
            say("\nREFUSED: PyTorch and llprobe disagree beyond %g relative on %s; nothing timed is reported."
                % (tol, ", ".join(bad)))
            return 1
        # 3. timing, alternating sides (the mm peak again first: it is a
        # capability, so the best of its measurements is the one reported)
        measure_peak("before " + cfg)
        c_rounds, t_rounds, flops = [], [], None
        for r in range(ARGS.rounds):
            c_first = (r + ci) % 2 == 0
            for side in ("c", "t") if c_first else ("t", "c"):
                if side == "c" and not ARGS.float32:
                    say("  %s round %d: llprobe (bench_mlp --all) ..." % (cfg, r + 1))
                    res, flops = time_c(bench, cfg, log)
                    c_rounds.append(res)
                elif side == "t":
                    say("  %s round %d: torch ..." % (cfg, r + 1))
                    t_rounds.append(time_torch(ts))
        rows.append((cfg, d, combine(c_rounds) if c_rounds else None, combine(t_rounds), flops))
        del ts

    say("load avg:    %s (end)" % loadavg())
    peak = max(peaks)
    say("practical peak: %.1f GFLOP/s, the best of %d torch.mm measurements (%s)"
        % (peak, len(peaks), ", ".join("%.1f" % p for p in peaks)))
    say("")
    show_table(rows, peak)
    say("")
    say("agreement (relative; loss |dl|/|l|, vectors ||d||_2/||ref||_2):")
    for cfg, errs in all_errs.items():
        say("  %s: %s" % (cfg, ", ".join("%s %.1e" % kv for kv in errs.items())))
    if tmp:
        tmp.cleanup()
    return 0


def show_table(rows, peak):
    spread = "IQR" if ARGS.rounds == 1 else "range"
    hdr = ["config", "op", "llprobe ms", spread, "torch ms", spread,
           "torch/llprobe", "llprobe GFLOP/s", "of mm peak", "CPU-time ratio", "CPU share llp/torch"]
    table = [hdr]
    for cfg, d, c, t, flops in rows:
        for op in OPS:
            tm = t[op]
            line = [cfg, op]
            if c is None:
                line += ["not measured", "-"]
            else:
                line += [fmt_ms(c[op][1]), "%s..%s" % (fmt_ms(c[op][2]), fmt_ms(c[op][3]))]
            line += [fmt_ms(tm[1]), "%s..%s" % (fmt_ms(tm[2]), fmt_ms(tm[3]))]
            if c is None:
                line += ["-", "-", "-", "-", "-/%.0f%%" % (100 * tm[4] / tm[1])]
            else:
                gf = flops[op] / c[op][1] * 1e-9
                line += ["%.2f" % (tm[1] / c[op][1]), "%.2f" % gf, "%.0f%%" % (100 * gf / peak),
                         "%.2f" % (tm[4] / c[op][4]), "%.0f%%/%.0f%%" % (100 * c[op][4] / c[op][1], 100 * tm[4] / tm[1])]
            table.append(line)
    width = [max(len(r[i]) for r in table) for i in range(len(hdr))]
    for k, r in enumerate(table):
        say("  ".join(s.ljust(w) if i < 2 else s.rjust(w) for i, (s, w) in enumerate(zip(r, width))))
        if k == 0:
            say("  ".join("-" * w for w in width))
    say("")
    if ARGS.float32:
        say("float32: PyTorch numbers only; the llprobe float build (-Dfloat=true) is not measured yet.")
    if ARGS.rounds == 1:
        say("ms: median over the runs of the measurement; IQR: its q1..q3 (ms).")
    else:
        say("ms: median of the %d round medians; range: their min..max (ms)." % ARGS.rounds)
    say("torch/llprobe > 1: llprobe is faster. GFLOP/s: llprobe's FLOP count (2*B*in*out per dense product,")
    say("bench_mlp.c) over its median; 'of mm peak' = that over torch.mm 1024x1024 (%.1f GFLOP/s)." % peak)
    say("CPU-time ratio: the same ratio from the medians of process CPU time (what each side ran, whoever")
    say("else shared the core); CPU share: CPU time / wall time, median over median, per side. The wall-clock")
    say("columns are the result; the CPU columns say how much of the core each side had while timed.")
    say("What is compared (each line: one measurement, both sides the same method):")
    say("  loss      llp_mlp_loss_grad(grad=NULL)  |  forward + F.cross_entropy under torch.no_grad()")
    say("  loss+grad llp_mlp_loss_grad             |  forward, torch.autograd.grad(loss, params)")
    say("  hvp       llp_mlp_hvp (own forward)     |  forward, grad(create_graph=True), grad(grads, params, v):")
    say("                                          |  a new graph every time (PyHessian's double backward)")
    say("  hvp40     40 x llp_mlp_hvp, 40 vectors  |  ONE forward + grad(create_graph=True), then 40 x")
    say("            (40 forward passes)           |  grad(grads, params, v_i, retain_graph=True): graph reused")
    say("  surface   2601 x loss at theta+a d1+b d2|  torch.no_grad(), flat parameter buffer set in place")
    say("            51 x 51 over [-1, 1]^2        |  (add(theta0, d1, alpha=a, out=flat); flat.add_(d2, alpha=b))")


if __name__ == "__main__":
    sys.exit(main())
