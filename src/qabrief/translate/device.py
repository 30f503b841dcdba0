"""Device and precision chosen in one place.

`auto`: CUDA in fp16 when a GPU is present, else Apple MPS (fp32: fp16 on MPS is not
reliably faster for generation), else the CPU in fp32 with torch's thread count set to
the cores this process may use. Forcing `cpu`, `cuda`, `cuda:N` or `mps` is honoured,
with a clear error when that device is not there. For the CTranslate2 backend the same
function picks the compute type: int8 on CPU, int8_float16 on CUDA (no MPS support).
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
        precision = {"float16": "fp16", "float32": "fp32"}.get(self.dtype, self.dtype)
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
    return DeviceChoice("cpu", "float32" if dtype == "auto" else dtype, threads)


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
