"""Device and precision chosen in one place.

`auto`: CUDA in fp16 when a GPU is present, else Apple MPS (fp32: fp16 on MPS is not
reliably faster for generation), else the CPU with torch's thread count set to the cores
this process may use: in bf16 where the processor computes it natively (AVX-512 BF16 or
AMX: 1.49x fp32 measured on an AMX Xeon, issue 21), else fp32 (emulated bf16 is slower).
Forcing `cpu`, `cuda`, `cuda:N` or `mps` is honoured, with a clear error when that device
is not there. For the CTranslate2 backend the same function picks the compute type: int8
on CPU, int8_float16 on CUDA (no MPS support; CTranslate2 4.8 offers no bf16 on CPUs).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import QabriefError


@dataclass(frozen=True)
class DeviceChoice:
    device: str  # torch device string
    dtype: str  # "float32" or "float16"
    threads: int | None = None

    @property
    def description(self) -> str:
        precision = PRECISION_OF.get(self.dtype, self.dtype)
        threads = f", {self.threads} threads" if self.threads else ""
        return f"{precision} on {self.device}{threads}"


def available_cores() -> int:
    """The cores this process may use: its CPU affinity, capped by OMP_NUM_THREADS when set
    (Ray sets it to an actor's CPU allotment, so two actors on two cores do not fight)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS, Windows
        cores = os.cpu_count() or 1
    cap = os.environ.get("OMP_NUM_THREADS", "")
    return max(1, min(cores, int(cap))) if cap.isdigit() and int(cap) > 0 else cores


CT2_COMPUTE = {"cpu": "int8", "cuda": "int8_float16"}
# --precision → (the torch dtype the weights load in, CTranslate2's compute type), for every backend;
# "auto" leaves both to the device (above). int8 on transformers loads fp32 weights and quantizes the
# linear layers (hf.py); a language model refuses it (loading.py).
PRECISIONS: dict[str, tuple[str, str | None]] = {
    "auto": ("auto", None), "fp32": ("float32", "float32"), "bf16": ("bfloat16", "bfloat16"),
    "fp16": ("float16", "float16"), "int8": ("float32", "int8")}
PRECISION_OF = {compute: name for name, (_, compute) in PRECISIONS.items() if compute}  # for descriptions


def torch_dtype(precision: str) -> str:
    """The torch dtype name `--precision` loads weights in ("auto": the device's choice)."""
    if precision not in PRECISIONS:
        raise QabriefError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
    return PRECISIONS[precision][0]


def ct2_compute_type(precision: str) -> str | None:
    """CTranslate2's compute type for `--precision` (None: the device's choice)."""
    torch_dtype(precision)  # the same check and message
    return PRECISIONS[precision][1]
DEVICES = ("auto", "cpu", "cuda", "mps")  # cuda:N too
BF16_FLAGS = ("avx512_bf16", "amx_bf16")  # /proc/cpuinfo flags of native bf16 arithmetic


def cpu_flags() -> set[str]:
    """The processor's feature flags (Linux; empty elsewhere)."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


def cpu_has_bf16() -> bool:
    """True where the CPU computes bf16 natively (AVX-512 BF16 or AMX)."""
    return any(flag in cpu_flags() for flag in BF16_FLAGS)


def nvidia_gpu_present() -> bool:
    """An NVIDIA GPU with its driver loaded, seen without importing torch (which costs ~200 MB
    in a CTranslate2 process): the driver lists each GPU under /proc/driver/nvidia/gpus."""
    gpus = "/proc/driver/nvidia/gpus"
    try:
        return bool(os.listdir(gpus))
    except OSError:
        return False


def is_out_of_memory(exc: BaseException) -> bool:
    """The device ran out of memory: torch's OutOfMemoryError, CTranslate2's "CUDA failed with
    error out of memory", or Python's MemoryError. A smaller batch may still fit."""
    return isinstance(exc, MemoryError) or type(exc).__name__ == "OutOfMemoryError" or \
        "out of memory" in str(exc).lower()


def release_device_memory() -> None:
    """Hand the memory of unloaded models back to the GPU (torch keeps freed blocks cached)."""
    import gc
    import sys

    gc.collect()
    torch = sys.modules.get("torch")
    if torch is not None and torch.cuda.is_available() and torch.cuda.is_initialized():
        torch.cuda.empty_cache()


def choose_device(device: str = "auto", dtype: str = "auto", backend: str = "transformers",
                  compute_type: str | None = None) -> DeviceChoice:
    """Device and precision; `dtype` is a torch dtype name, or a CTranslate2 compute type."""
    if backend == "ct2":
        return _choose_ct2(device, compute_type)
    import torch

    device = (device or "auto").lower()
    if device == "auto":
        if torch.cuda.is_available():
            device = "cuda"
        elif getattr(torch.backends, "mps", None) and torch.backends.mps.is_available():
            device = "mps"
        else:
            device = "cpu"
    if device.startswith("cuda"):
        if not torch.cuda.is_available():
            raise QabriefError("device 'cuda' requested but no CUDA GPU is available (use --device cpu)")
        index = int(device.split(":", 1)[1]) if ":" in device else 0
        if index >= torch.cuda.device_count():
            raise QabriefError(f"device {device!r} requested but only {torch.cuda.device_count()} GPU(s) present")
        return DeviceChoice(f"cuda:{index}", "float16" if dtype == "auto" else dtype)
    if device == "mps":
        if not (getattr(torch.backends, "mps", None) and torch.backends.mps.is_available()):
            raise QabriefError("device 'mps' requested but Apple MPS is not available (use --device cpu)")
        return DeviceChoice("mps", "float32" if dtype == "auto" else dtype)
    if device != "cpu":
        raise QabriefError(f"unknown device {device!r}; use auto, cpu, cuda, cuda:N or mps")
    threads = available_cores()
    torch.set_num_threads(threads)
    if dtype == "auto":
        dtype = "bfloat16" if cpu_has_bf16() else "float32"
    return DeviceChoice("cpu", dtype, threads)


def _choose_ct2(device: str, compute_type: str | None) -> DeviceChoice:
    import ctranslate2

    device = (device or "auto").lower()
    gpus = ctranslate2.get_cuda_device_count()
    if device == "auto":
        device = "cuda" if gpus else "cpu"
    if device.startswith("cuda"):
        index = int(device.split(":", 1)[1]) if ":" in device else 0
        if index >= gpus:
            raise QabriefError(f"device {device!r} requested but CTranslate2 sees {gpus} CUDA GPU(s)")
        return DeviceChoice(f"cuda:{index}", compute_type or CT2_COMPUTE["cuda"])
    if device != "cpu":
        raise QabriefError(f"the ct2 backend runs on cpu or cuda, not {device!r}")
    return DeviceChoice("cpu", compute_type or CT2_COMPUTE["cpu"], available_cores())
