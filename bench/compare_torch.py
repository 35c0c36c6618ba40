#!/usr/bin/env python3
"""compare_torch.py -- llprobe against PyTorch, side by side, in one run.

Follows BENCHMARKING.md. For each configuration (A 2-16-16-2 batch 256,
B 64-128-128-10 batch 1797 digits, C 784-256-256-10 batch 1024), in each
precision asked for (float64: a double build of bench_mlp, --bench64;
float32: a -Dfloat=true build, --bench32) and each thread count (--threads
1,2; more than one thread needs -Dopenmp=enabled builds: --bench64 and
--bench32 themselves, or --bench64-omp and --bench32-omp for the thread
counts above 1):

 1. runs `bench_mlp --dump DIR --no-timing` of each binary and reads the
    exact weights, data, HVP vector and surface directions llprobe times,
    with llprobe's loss, gradient, HVP and a few surface losses on them
    (reals stored as f64; a float build's values are floats, so casting
    them to float32 is exact);
 2. builds the same MLP in PyTorch (nn.Linear + nn.Tanh, F.cross_entropy,
    mean over the batch) in the same precision, loads those weights and
    data, and checks BEFORE any timing, for every precision and thread
    count, that PyTorch's loss, gradient and HVP (double backward, as
    PyHessian does it) agree with llprobe's: to 1e-10 relative in float64,
    to 1e-5 (losses) and 1e-4 (vectors) in float32 (see TOL); refuses to go
    on otherwise;
 3. times both sides, alternating: bench_mlp (a subprocess, --tsv)
    for the configuration, precision and thread count, then PyTorch for the
    same (with --rounds R, R rounds whose order alternates), with the same
    method on both sides (warm-up, then interleaved slices until each op has
    >= 1 s and >= 5 runs, 3 for hvp40 and the surface; medians);
 4. prints one table (config, op, precision, threads: both medians, their
    ratio, llprobe's GFLOP/s and its fraction of torch.mm's peak in the same
    precision and thread count) and the performance targets on the
    float64, one-thread lines.

One-thread variants run pinned to one CPU (--cpu; all the threads of this
process and bench_mlp), N-thread variants on N or more CPUs. It refuses to
report ratios unless PyTorch runs on OpenBLAS (BENCHMARKING.md: with
Debian's reference BLAS PyTorch is about 8x slower on B and C). Run as
(bench/README.md: the builds, and why the one-thread lines get builds
without OpenMP)

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp \\
      /usr/bin/python3 bench/compare_torch.py \\
      --bench64 build-f64/bench/bench_mlp --bench64-omp build-f64omp/bench/bench_mlp \\
      --bench32 build-f32/bench/bench_mlp --bench32-omp build-f32omp/bench/bench_mlp \\
      --threads 1,2 --rounds 3

or, float64 and one thread only, as before:

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp taskset -c 1 \\
      /usr/bin/python3 bench/compare_torch.py build-rel/bench/bench_mlp --rounds 3

Dependencies: the standard library, torch and numpy.
"""
import argparse
import ctypes
import datetime
import hashlib
import json
import os
import platform
import re
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
DTYPES = ["float64", "float32"]
REAL_BYTES = {"float64": 8, "float32": 4}            # sizeof(llp_real) recorded in the dump
REAL_WORD = {"float64": "double", "float32": "float"}  # bench_mlp's first line

# Agreement tolerances, relative: losses |d|/|l|, vectors ||d||_2/||ref||_2.
# float64: 1e-10, as BENCHMARKING.md asks (seen: 3e-15 at most).
# float32: both sides compute in float32 on the same float values (llprobe's
# -Dfloat=true build, PyTorch on its dump cast to float32, which is exact),
# each with its own summation order, so they differ by about the sum of
# their two rounding errors. Measured on configs A, B, C (PyTorch on 1 and
# 2 threads): losses and the six surface losses at most 2e-7 apart (B's
# surface points on 2 threads), gradient and H v at most 8e-7 (C, with
# 784-long sums; A 6e-7, B 2e-7); each side is about as far from a float64
# evaluation of the same inputs (up to 9e-8 and 8e-7). 1e-5 and 1e-4 leave
# a margin of 50-100x for other CPUs, kernels and thread counts, and stay
# well below the effect of a real mistake: leaving a typical sample (the
# median) out of the mean moves the loss by 9e-5 (B) to 7e-4 (A).
TOL = {"float64": {"loss": 1e-10, "vector": 1e-10},
       "float32": {"loss": 1e-5, "vector": 1e-4}}
LOSS_KEYS = ("loss", "surface points")  # the other agreement entries are vectors

# The performance targets, evaluated on the float64, one-thread lines:
# (config, op, what, bound); "ratio": torch/llprobe >= bound, "peak":
# llprobe's fraction of the mm peak >= bound, "hvp/grad": llprobe's hvp over
# its own loss+grad <= bound.
TARGETS = [("A", "loss+grad", "ratio", 10.0), ("A", "hvp", "ratio", 10.0),
           ("B", "loss+grad", "ratio", 1.5), ("B", "hvp", "ratio", 1.5), ("B", "hvp40", "ratio", 2.0),
           ("C", "loss+grad", "ratio", 1.0), ("C", "loss+grad", "peak", 0.70), ("C", "hvp", "ratio", 1.2),
           ("B", "surface", "ratio", 3.0), ("C", "surface", "ratio", 3.0),
           ("A", "hvp", "hvp/grad", 2.5), ("B", "hvp", "hvp/grad", 2.5), ("C", "hvp", "hvp/grad", 2.5)]


def parse_list(p, s, what, allowed=None, conv=str):
    out = []
    for x in s.split(","):
        x = x.strip()
        if not x:
            continue
        try:
            v = conv(x)
        except ValueError:
            p.error("%s: %r is not valid" % (what, x))
        if allowed is not None and v not in allowed:
            p.error("%s: %r is not one of %s" % (what, x, ", ".join(map(str, allowed))))
        if v not in out:
            out.append(v)
    if not out:
        p.error("%s: empty list" % what)
    return out


def parse_args():
    p = argparse.ArgumentParser(description="llprobe vs PyTorch, side by side (see BENCHMARKING.md and "
                                            "bench/README.md)")
    p.add_argument("bench", nargs="?", default=None,
                   help="the float64 bench_mlp binary, same as --bench64 (default build/bench/bench_mlp)")
    p.add_argument("--bench64", metavar="PATH", default=None,
                   help="the float64 (double) bench_mlp binary (default build/bench/bench_mlp)")
    p.add_argument("--bench32", metavar="PATH", default=None,
                   help="a float build's bench_mlp (meson -Dfloat=true): adds the float32 lines")
    p.add_argument("--bench64-omp", metavar="PATH", default=None,
                   help="an OpenMP double build's bench_mlp for the thread counts above 1 (default: --bench64 for "
                        "all; then it must be an OpenMP build)")
    p.add_argument("--bench32-omp", metavar="PATH", default=None,
                   help="an OpenMP float build's bench_mlp for the thread counts above 1 (default: --bench32)")
    p.add_argument("--dtypes", default=None,
                   help="precisions to run, from float64,float32 (default float64, and float32 when --bench32 "
                        "is given)")
    p.add_argument("--config", default="ABC", help="configurations, any of A, B, C (default ABC)")
    p.add_argument("--ops", default=",".join(OPS),
                   help="operations to compare, from %s (default all)" % ",".join(OPS))
    p.add_argument("--threads", default="1",
                   help="thread counts, e.g. 1,2 (default 1); more than 1 needs OpenMP builds of bench_mlp "
                        "(meson -Dopenmp=enabled)")
    p.add_argument("--cpu", type=int, default=None,
                   help="the CPU one-thread variants are pinned to (default: the only CPU this process may run "
                        "on when started pinned, else the highest-numbered one it may run on)")
    p.add_argument("--block", type=int, default=None,
                   help="passed to bench_mlp: tangents its block HVP carries at once in hvp40 (bench_mlp's "
                        "default 8)")
    p.add_argument("--quick", action="store_true", help="0.2 s per measurement and one surface run (smoke run)")
    p.add_argument("--min-time", type=float, default=None, help="seconds per measurement (default 1, --quick 0.2)")
    p.add_argument("--rounds", type=int, default=1,
                   help="rounds per configuration and variant, alternating which side goes first (default 1)")
    p.add_argument("--digits", default=os.path.join(ROOT, "data", "digits.csv"), help="path to digits.csv")
    p.add_argument("--keep-dump", metavar="DIR",
                   help="write the dumps (DIR/float64, DIR/float32) and bench_mlp's output (DIR/bench_mlp.log) to "
                        "DIR and keep them (default: a temporary directory)")
    p.add_argument("--markdown", action="store_true", help="also print the table as Markdown")
    a = p.parse_args()
    if a.bench and a.bench64 and a.bench != a.bench64:
        p.error("the positional bench_mlp and --bench64 name different binaries")
    a.bench64 = a.bench64 or a.bench or os.path.join("build", "bench", "bench_mlp")
    if a.dtypes is None:
        a.dtypes = ["float64"] + (["float32"] if a.bench32 else [])
    else:
        a.dtypes = parse_list(p, a.dtypes, "--dtypes", DTYPES)
        a.dtypes.sort(key=DTYPES.index)
    if "float32" in a.dtypes and not a.bench32:
        p.error("float32 needs --bench32 PATH (bench_mlp of a meson -Dfloat=true build)")
    if a.bench32_omp and not a.bench32:
        p.error("--bench32-omp needs --bench32 (the binary of the one-thread lines)")
    a.ops = parse_list(p, a.ops, "--ops", OPS)
    a.ops.sort(key=OPS.index)
    a.threads = parse_list(p, a.threads, "--threads", conv=int)
    if not a.config or any(c not in CONFIG_NAMES for c in a.config):
        p.error("--config takes letters from ABC")
    a.config = "".join(c for c in CONFIG_NAMES if c in a.config)
    if min(a.threads) < 1 or a.rounds < 1:
        p.error("--threads and --rounds must be >= 1")
    if a.block is not None and not 1 <= a.block <= N_HVP40:
        p.error("--block takes 1 .. %d" % N_HVP40)
    if a.min_time is None:
        a.min_time = 0.2 if a.quick else 1.0
    return a


ARGS = parse_args()
# Thread counts are fixed before torch (and its OpenMP/OpenBLAS) is loaded:
# the largest one asked for; each variant then sets its own through
# torch.set_num_threads (omp_set_num_threads, which the OpenMP build of
# OpenBLAS follows).
os.environ["OMP_NUM_THREADS"] = str(max(ARGS.threads))
os.environ["OPENBLAS_NUM_THREADS"] = str(max(ARGS.threads))

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

TORCH_DTYPE = {"float64": torch.float64, "float32": torch.float32}
OPENBLAS = []  # the OpenBLAS PyTorch calls, once found (blas_info)


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


def online_cpus():
    try:
        with open("/sys/devices/system/cpu/online") as f:
            text = f.read().strip()
        cpus = set()
        for part in text.split(","):
            lo, _, hi = part.partition("-")
            cpus.update(range(int(lo), int(hi or lo) + 1))
        return cpus
    except (OSError, ValueError):
        return set(range(os.cpu_count() or 1))


def set_affinity(cpus):
    """Every thread of this process (the main one, PyTorch's OpenMP workers)
    on `cpus`; bench_mlp, started from the main thread, inherits it."""
    for tid in os.listdir("/proc/self/task"):
        try:
            os.sched_setaffinity(int(tid), cpus)
        except ProcessLookupError:
            pass  # the thread has ended
    os.sched_setaffinity(0, cpus)


class Placement:
    """Where each variant runs: one thread pinned to one CPU (pinned runs
    are steadier on a shared machine); N threads on the CPUs this process
    was started on when they are N or more, else on all online CPUs."""

    def __init__(self, cpu):
        self.start = set(os.sched_getaffinity(0))
        online = online_cpus()
        if cpu is not None and cpu not in online:
            raise SystemExit("--cpu %d: not an online CPU (%s)" % (cpu, sorted(online)))
        self.one = {cpu if cpu is not None else max(self.start)}
        self.threads = None

    def cpus(self, n):
        if n == 1:
            return self.one
        return self.start if len(self.start) >= n else online_cpus()

    def use(self, n):
        if self.threads == n:
            return
        set_affinity(self.cpus(n))
        torch.set_num_threads(n)
        for lib in OPENBLAS:  # a pthreads OpenBLAS does not follow omp_set_num_threads
            lib.openblas_set_num_threads(n)
        self.threads = n

    @staticmethod
    def describe(cpus):
        return "CPU %d" % min(cpus) if len(cpus) == 1 else "CPUs %s" % ",".join(map(str, sorted(cpus)))


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
                    par = {0: "sequential", 1: "pthreads", 2: "OpenMP"}.get(lib.openblas_get_parallel(), "?")
                    detail = "%s; core %s; threading %s" % (lib.openblas_get_config().decode(),
                                                            lib.openblas_get_corename().decode(), par)
                    if not OPENBLAS:
                        OPENBLAS.append(lib)
                except (OSError, AttributeError):
                    pass
                break
    elif "/blas/" in real or os.path.basename(real).startswith("libblas"):
        kind, detail = "reference", "netlib reference BLAS"
    else:
        kind = "other"
    return kind, "%s from %s" % (sym, provider), mapped, detail


def build_info(bench):
    """Description of the bench_mlp binary's Meson build, from its build
    directory (the binary's own first line is what the checks rely on)."""
    d = os.path.dirname(os.path.dirname(os.path.abspath(bench)))
    try:
        with open(os.path.join(d, "meson-info", "intro-buildoptions.json")) as f:
            opts = {o["name"]: o["value"] for o in json.load(f)}
        return "%s (optimization %s, debug %s, c_args %s, float %s, openmp %s)" % (
            opts.get("buildtype"), opts.get("optimization"), opts.get("debug"), opts.get("c_args"),
            opts.get("float", False), opts.get("openmp", "disabled"))
    except (OSError, ValueError, KeyError):
        return "unknown (no meson-info next to %s)" % bench


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


# First line of bench_mlp's output, e.g. "bench_mlp: llprobe 0.1.0, double,
# 2 threads (OpenMP: dense products), tanh ..."; OpenMP builds say so there.
FIRST_LINE = re.compile(r"^bench_mlp: llprobe (\S+), (double|float), (\d+) threads?( \(OpenMP: dense products\))?,")


def first_line(out, bench):
    """(version, real, threads, openmp) from bench_mlp's first line."""
    line = out.splitlines()[0] if out else ""
    m = FIRST_LINE.match(line)
    if not m:
        raise SystemExit("%s: unexpected first line %r (is this llprobe's bench_mlp?)" % (bench, line))
    return m.group(1), m.group(2), int(m.group(3)), m.group(4) is not None


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
    # the surface path, at the dumped grid points (llprobe's: its plane evaluator)
    got = {}
    ts.surface_rows(sorted({i for i, _, _ in d.points}), got)
    err["surface points"] = max(rel(got[(i, j)], lo) for i, j, lo in d.points)
    # and the parameters are back at theta0
    err["theta restored"] = rel(ts.flat, d.theta)
    return err


def disagreements(errs, dt):
    tol = TOL[dt]
    return {k: e for k, e in errs.items() if not e <= tol["loss" if k in LOSS_KEYS else "vector"]}


def tol_text(dt):
    tol = TOL[dt]
    if tol["loss"] == tol["vector"]:
        return "%g" % tol["loss"]
    return "losses %g, vectors %g" % (tol["loss"], tol["vector"])


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
    m = {op: MIN_RUNS[op] for op in ARGS.ops}
    if "surface" in m:
        m["surface"] = 1 if ARGS.quick else -(-MIN_RUNS["surface"] // ARGS.rounds)
    return m


def run_c(bench, cfg, threads, extra, log):
    """bench_mlp for one configuration on `threads` threads (OMP_NUM_THREADS
    and --threads); returns its output and the facts of its first line."""
    cmd = [bench, "--config", cfg, "--threads", str(threads)] + extra + [ARGS.digits]
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    log.append("$ OMP_NUM_THREADS=%d %s   (%.1f s, on CPUs %s)\n%s%s" % (
        threads, " ".join(cmd), time.perf_counter() - t0, ",".join(map(str, sorted(os.sched_getaffinity(0)))),
        p.stdout, p.stderr))
    if p.returncode != 0:
        say(p.stdout + p.stderr)
        raise SystemExit("bench_mlp failed (exit status %d): %s" % (p.returncode, " ".join(cmd)))
    return p.stdout, first_line(p.stdout, bench)


def time_c(bench, cfg, threads, log):
    extra = ["--min-time", repr(ARGS.min_time), "--tsv"]
    if "hvp40" in ARGS.ops:
        extra.append("--hvp40")
    if "surface" in ARGS.ops:
        extra += ["--surface", "--surface-runs", str(min_runs()["surface"])]
    if ARGS.block is not None:
        extra += ["--block", str(ARGS.block)]
    if ARGS.quick:
        extra.append("--quick")
    out, (_, _, n, omp) = run_c(bench, cfg, threads, extra, log)
    if n != threads or (threads > 1 and not omp):
        raise SystemExit("%s ran %d thread(s)%s, %d asked for" % (bench, n, "" if omp else " without OpenMP",
                                                                   threads))
    res, flops = {}, {}
    for line in out.splitlines():
        if line.startswith("result\t"):
            f = line.split("\t")
            res[f[2]] = (int(f[3]), float(f[4]), float(f[5]), float(f[6]), float(f[7]), float(f[10]))
            flops[f[2]] = float(f[8])
        elif line.startswith("load average"):
            say("    [llprobe] " + line)
    missing = [o for o in ARGS.ops if o not in res]
    if missing:
        raise SystemExit("bench_mlp printed no result for %s" % missing)
    return res, flops


def time_torch(ts):
    say("    [torch]   load average: " + loadavg())
    ops = {k: v for k, v in ts.ops().items() if k in ARGS.ops}
    warm = {k: v for k, v in ts.warmups().items() if k in ARGS.ops}
    return measure(ops, warm, ARGS.min_time, min_runs())


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
    for op in ARGS.ops:
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


def fmt_threads(n):
    return "%d thread%s" % (n, "" if n == 1 else "s")


def main():
    t_start = time.perf_counter()
    variants = [(dt, n) for dt in ARGS.dtypes for n in ARGS.threads]
    plain = {"float64": ARGS.bench64, "float32": ARGS.bench32}
    omp_bin = {"float64": ARGS.bench64_omp, "float32": ARGS.bench32_omp}
    # the bench_mlp of each variant, and the variants (thread counts) each binary runs
    bench_of = {(dt, n): omp_bin[dt] if n > 1 and omp_bin[dt] else plain[dt] for dt, n in variants}
    binaries = []  # (dt, path, [thread counts]), in order
    for (dt, n), b in bench_of.items():
        for entry in binaries:
            if entry[:2] == (dt, b):
                entry[2].append(n)
                break
        else:
            binaries.append((dt, b, [n]))
    for dt, b, _ in binaries:
        if not (os.path.isfile(b) and os.access(b, os.X_OK)):
            raise SystemExit("no bench_mlp binary at %s (%s; build it, or pass its path)" % (b, dt))
    place = Placement(ARGS.cpu)

    say("compare_torch.py: llprobe vs PyTorch, side by side (BENCHMARKING.md)")
    say("date:        %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%a %Y-%m-%d %H:%M:%S UTC"))
    say("cpu:         %s, %d logical CPUs; started on CPUs %s" % (
        cpu_model(), os.cpu_count(), ",".join(map(str, sorted(place.start)))))
    say("placement:   %s" % "; ".join("%s on %s" % (fmt_threads(n), place.describe(place.cpus(n)))
                                      for n in ARGS.threads))
    say("load avg:    %s (start)" % loadavg())
    say("python %s, torch %s, numpy %s; OMP_NUM_THREADS=%s at start, then torch.set_num_threads(N) per variant" % (
        platform.python_version(), torch.__version__, np.__version__, os.environ.get("OMP_NUM_THREADS")))
    kinds = {}
    for dt in ARGS.dtypes:
        kind, provider, mapped, detail = blas_info(TORCH_DTYPE[dt])
        kinds[dt] = kind
        say("BLAS %s: %s: %s%s" % (dt, kind, provider, " (%s)" % detail if detail else ""))
    say("             mapped: %s" % (", ".join(mapped) or "none"))
    place.use(ARGS.threads[0])
    if any(k != "openblas" for k in kinds.values()):
        say("\nREFUSED: PyTorch's gemm is not OpenBLAS (%s). With the reference BLAS it is about 8x slower\n"
            "on B and C and a comparison would mean nothing. Run it as\n"
            "  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 %s"
            % (", ".join("%s: %s" % kv for kv in kinds.items()), " ".join(sys.argv)))
        return 3

    # The bench binaries: the precision and (for N > 1) OpenMP, from their first line.
    log = []
    refused = []
    for dt, b, ns in binaries:
        out, (version, real, n, omp) = run_c(b, "A", max(ns), ["--no-timing"], log)
        say("bench_mlp %s, %s: %s: llprobe %s, %s, %s; build %s" % (
            dt, " and ".join(fmt_threads(n) for n in ns), b, version, real, "OpenMP" if omp else "no OpenMP",
            build_info(b)))
        say("             %s" % header_info(b))
        if real != REAL_WORD[dt]:
            refused.append("%s computes in %s, not %s (%s)" % (
                b, real, dt, "build it with meson -Dfloat=true" if dt == "float32"
                else "a build without -Dfloat=true"))
        if max(ns) > 1 and not omp:
            refused.append("%s has no OpenMP (its first line does not say \"(OpenMP: dense products)\"), so it "
                           "would run 1 thread where %d are asked for: build it with meson -Dopenmp=enabled%s, "
                           "or drop the thread counts above 1"
                           % (b, max(ns), " (or pass one as --bench%s-omp)" % dt[-2:] if b == plain[dt] else ""))
    say("dtypes:      %s; threads %s; ops %s; per measurement >= %.2g s and >= %s runs per round; "
        "%d round(s) per configuration and variant%s" % (
            ", ".join(ARGS.dtypes), ",".join(map(str, ARGS.threads)), ",".join(ARGS.ops), ARGS.min_time,
            "/".join("%s %d" % kv for kv in min_runs().items()), ARGS.rounds,
            "; bench_mlp --block %d" % ARGS.block if ARGS.block else ""))
    if refused:
        say("\nREFUSED: %s." % ";\n         ".join(refused))
        return 4

    tmp = None
    dump_dir = ARGS.keep_dump
    if not dump_dir:
        tmp = tempfile.TemporaryDirectory(prefix="llpbench-")
        dump_dir = tmp.name

    # 1. the exact weights, data and llprobe's values, per binary (precision) and
    # configuration: each variant is checked against the binary it times
    sides = {}
    say("")
    for dt, b, ns in binaries:
        ddir = os.path.join(dump_dir, dt if b == plain[dt] else dt + "-omp")
        os.makedirs(ddir, exist_ok=True)
        for cfg in ARGS.config:
            out, _ = run_c(b, cfg, ns[0], ["--dump", ddir, "--no-timing"], log)
            for line in out.splitlines():
                if line.startswith(cfg + ":") and "check" in line:
                    say("  [llprobe %s%s] %s" % (dt, "" if b == plain[dt] else " OpenMP binary", line))
            d = read_dump(os.path.join(ddir, "llpbench_%s.bin" % cfg))
            if d.real_bytes != REAL_BYTES[dt]:
                say("\nREFUSED: the %s dump of %s records real_bytes = %d (sizeof(llp_real)), not %d:\n"
                    "%s is not a %s build%s." % (
                        dt, b, d.real_bytes, REAL_BYTES[dt], b, dt,
                        " (meson setup ... -Dfloat=true)" if dt == "float32" else ""))
                return 4
            sides[(cfg, dt, b)] = (d, TorchSide(d, TORCH_DTYPE[dt]))

    # 2. agreement, before any timing, in every precision and thread count
    all_errs = {}
    bad_any = []
    for n in ARGS.threads:
        place.use(n)
        for dt in ARGS.dtypes:
            for cfg in ARGS.config:
                d, ts = sides[(cfg, dt, bench_of[(dt, n)])]
                errs = agreement(ts, d)
                all_errs[(cfg, dt, n)] = errs
                bad = disagreements(errs, dt)
                if bad:
                    bad_any.append("%s %s %s: %s" % (cfg, dt, fmt_threads(n), ", ".join(bad)))
                say("%s %s batch %d, %d params, %s, torch %s: torch vs llprobe, relative: %s -> %s" % (
                    cfg, "-".join(map(str, d.sizes)), d.batch, d.n, dt, fmt_threads(n),
                    ", ".join("%s %.1e" % kv for kv in errs.items()),
                    "agree (<= %s)" % tol_text(dt) if not bad else "DISAGREE"))
    if bad_any:
        say("\nREFUSED: PyTorch and llprobe disagree beyond the tolerance (%s) on\n  %s\nnothing is timed."
            % ("; ".join("%s: %s" % (dt, tol_text(dt)) for dt in ARGS.dtypes), "\n  ".join(bad_any)))
        return 1

    # 3. the practical peaks, then timing, alternating sides (the mm peak
    # again before each configuration: it is a capability, so the best of
    # its measurements is the one reported)
    peaks = {v: [] for v in variants}

    def measure_peak(dt, n, when):
        p, p_cpu, pr = mm_peak(TORCH_DTYPE[dt])
        peaks[(dt, n)].append(p)
        say("torch.mm 1024x1024 %s, %s, %s: %.1f GFLOP/s (median %.2f ms, %d runs; %.1f GFLOP/s per second of "
            "CPU time, CPU share %.0f%%)" % (dt, fmt_threads(n), when, p, 1e3 * pr[1], pr[0], p_cpu,
                                             100 * pr[5] / pr[1]))

    say("")
    for dt, n in variants:
        place.use(n)
        measure_peak(dt, n, "at the start")
    results = {}
    for ci, cfg in enumerate(ARGS.config):
        for vi, (dt, n) in enumerate(variants):
            place.use(n)
            say("")
            measure_peak(dt, n, "before " + cfg)
            d, ts = sides[(cfg, dt, bench_of[(dt, n)])]
            c_rounds, t_rounds, flops = [], [], None
            for r in range(ARGS.rounds):
                c_first = (r + ci + vi) % 2 == 0
                for side in ("c", "t") if c_first else ("t", "c"):
                    if side == "c":
                        say("  %s %s %s round %d: llprobe (bench_mlp) ..." % (cfg, dt, fmt_threads(n), r + 1))
                        res, flops = time_c(bench_of[(dt, n)], cfg, n, log)
                        c_rounds.append(res)
                    else:
                        say("  %s %s %s round %d: torch ..." % (cfg, dt, fmt_threads(n), r + 1))
                        t_rounds.append(time_torch(ts))
            results[(cfg, dt, n)] = (combine(c_rounds), combine(t_rounds), flops)
    for k in list(sides):
        del sides[k]

    say("")
    say("load avg:    %s (end)" % loadavg())
    peak = {}
    for (dt, n), ps in peaks.items():
        peak[(dt, n)] = max(ps)
        say("mm peak %s, %s: %.1f GFLOP/s, the best of %d torch.mm measurements (%s)" % (
            dt, fmt_threads(n), peak[(dt, n)], len(ps), ", ".join("%.1f" % p for p in ps)))
    say("")
    table = make_table(results, peak)
    show_table(table)
    if ARGS.markdown:
        say("")
        show_markdown(table)
    say("")
    notes(peak)
    say("")
    show_targets(results, peak)
    say("")
    say("agreement (relative; loss |dl|/|l|, vectors ||d||_2/||ref||_2; tolerance %s):" % (
        "; ".join("%s %s" % (dt, tol_text(dt)) for dt in ARGS.dtypes)))
    for (cfg, dt, n), errs in all_errs.items():
        say("  %s %s %s: %s" % (cfg, dt, fmt_threads(n), ", ".join("%s %.1e" % kv for kv in errs.items())))
    if ARGS.keep_dump:
        with open(os.path.join(dump_dir, "bench_mlp.log"), "w") as f:
            f.write("\n".join(log))
    if tmp:
        tmp.cleanup()
    say("")
    say("elapsed: %.0f s" % (time.perf_counter() - t_start))
    return 0


def make_table(results, peak):
    spread = "IQR" if ARGS.rounds == 1 else "range"
    hdr = ["config", "op", "precision", "threads", "llprobe ms", "torch ms", "torch/llprobe", "llprobe GFLOP/s",
           "of mm peak", "llprobe " + spread, "torch " + spread, "CPU share llp/torch"]
    rows = []
    for cfg in ARGS.config:
        for op in ARGS.ops:
            for dt in ARGS.dtypes:
                for n in ARGS.threads:
                    c, t, flops = results[(cfg, dt, n)]
                    gf = flops[op] / c[op][1] * 1e-9
                    rows.append([cfg, op, dt, str(n), fmt_ms(c[op][1]), fmt_ms(t[op][1]),
                                 "%.2f" % (t[op][1] / c[op][1]), "%.2f" % gf, "%.0f%%" % (100 * gf / peak[(dt, n)]),
                                 "%s..%s" % (fmt_ms(c[op][2]), fmt_ms(c[op][3])),
                                 "%s..%s" % (fmt_ms(t[op][2]), fmt_ms(t[op][3])),
                                 "%.0f%%/%.0f%%" % (100 * c[op][4] / c[op][1], 100 * t[op][4] / t[op][1])])
    return hdr, rows


def show_table(table):
    hdr, rows = table
    width = [max(len(r[i]) for r in [hdr] + rows) for i in range(len(hdr))]
    say("  ".join(s.ljust(w) if i < 3 else s.rjust(w) for i, (s, w) in enumerate(zip(hdr, width))))
    say("  ".join("-" * w for w in width))
    prev = None
    for r in rows:
        shown = list(r)
        if prev is not None and r[0] == prev[0]:
            shown[0] = ""
            if r[1] == prev[1]:
                shown[1] = ""
        prev = r
        say("  ".join(s.ljust(w) if i < 3 else s.rjust(w) for i, (s, w) in enumerate(zip(shown, width))))


def show_markdown(table):
    hdr, rows = table
    say("| " + " | ".join(hdr) + " |")
    say("| " + " | ".join("---" if i < 3 else "---:" for i in range(len(hdr))) + " |")
    for r in rows:
        say("| " + " | ".join(r[:6] + ["**%s**" % r[6]] + r[7:]) + " |")


def notes(peak):
    if ARGS.rounds == 1:
        say("ms: median over the runs of the measurement; IQR: its q1..q3 (ms).")
    else:
        say("ms: median of the %d round medians; range: their min..max (ms)." % ARGS.rounds)
    say("torch/llprobe > 1: llprobe is faster. GFLOP/s: llprobe's FLOP count (2*B*in*out per dense product,")
    say("the flops_* functions of bench_mlp.c) over its median; 'of mm peak' = that over the torch.mm 1024x1024")
    say("peak of the same precision and thread count (%s GFLOP/s)." % ", ".join(
        "%s %s %.1f" % (dt, fmt_threads(n), p) for (dt, n), p in peak.items()))
    say("CPU share: process CPU time / wall time, median over median, per side (up to N x 100% with N threads):")
    say("how much of the CPUs each side had while timed; rerun when a one-thread line is not near 100%.")
    say("What is compared (each line: one measurement, both sides the same method):")
    k = str(ARGS.block) if ARGS.block else "8"
    lines = [
        ("loss      llp_mlp_loss_grad(grad = NULL)", "forward + F.cross_entropy under torch.no_grad()"),
        ("loss+grad llp_mlp_loss_grad", "forward, torch.autograd.grad(loss, params)"),
        ("hvp       llp_mlp_hvp (its own forward pass)",
         "forward, grad(create_graph=True), grad(grads, params, v):"),
        ("", "a new graph every time (PyHessian's double backward)"),
        ("hvp40     ONE llp_mlp_hvp_block call, 40 vectors:", "ONE forward + grad(create_graph=True), then 40 x"),
        ("          one primal pass, the tangents carried",
         "grad(grads, params, v_i, retain_graph=True): the graph"),
        ("          %s at a time" % k, "reused for the 40 vectors (PyHessian's way)"),
        ("surface   ONE llp_mlp_plane_loss call, the 51 x 51",
         "2601 forward passes under torch.no_grad(), the flat"),
        ("          grid theta + a d1 + b d2 over [-1, 1]^2:", "parameter buffer set in place per point"),
        ("          X W1^T, X D1^T, X D2^T once, later", "(add(theta0, d1, alpha=a, out=flat);"),
        ("          layers per point", " flat.add_(d2, alpha=b))")]
    for left, right in lines:
        say("  %-51s|  %s" % (left, right))
    say("  hvp40: both sides do one forward pass for the 40 vectors (like for like in spirit). surface: not like")
    say("  for like: llprobe uses that the first layer's pre-activations are linear in the parameters along the")
    say("  plane; PyTorch's loop does what a per-point evaluation does (the first layer's product 2601 times).")


def show_targets(results, peak):
    """The targets on the float64, one-thread lines."""
    say("targets (float64, 1 thread; torch/llprobe: PyTorch's median over llprobe's)%s:" % (
        " -- a --quick smoke run, not a measurement" if ARGS.quick else ""))
    met = missed = absent = 0
    for cfg, op, what, bound in TARGETS:
        key = (cfg, "float64", 1)
        need = [op] + (["loss+grad"] if what == "hvp/grad" else [])
        if key not in results or any(o not in ARGS.ops for o in need):
            label = "not measured"
            absent += 1
            fig = "-"
        else:
            c, t, flops = results[key]
            if what == "ratio":
                x = t[op][1] / c[op][1]
                ok, fig = x >= bound, "%.2f" % x
            elif what == "peak":
                x = flops[op] / c[op][1] * 1e-9 / peak[("float64", 1)]
                ok, fig = x >= bound, "%.0f%%" % (100 * x)
            else:
                x = c[op][1] / c["loss+grad"][1]
                ok, fig = x <= bound, "%.2f" % x
            label = "met" if ok else "MISSED"
            met += ok
            missed += not ok
        desc = {"ratio": "%-9s torch/llprobe >= %g" % (op, bound),
                "peak": "%-9s of mm peak >= %.0f%%" % (op, 100 * bound),
                "hvp/grad": "hvp / loss+grad (llprobe's times) <= %g" % bound}[what]
        say("  %s  %-40s %7s  %s" % (cfg, desc, fig, label))
    say("  %d met, %d missed%s" % (met, missed, ", %d not measured" % absent if absent else ""))


if __name__ == "__main__":
    sys.exit(main())
