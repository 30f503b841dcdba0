"""CUDA 12's cuBLAS for CTranslate2, found where pip puts it.

CTranslate2's wheels are built against CUDA 12 and `dlopen("libcublas.so.12")` at their
first computation on a GPU, not when a model loads. A machine with only CUDA 13's
libraries, or a virtual environment whose cuBLAS 12 sits in the `nvidia-cublas-cu12`
wheel (`site-packages/nvidia/cublas/lib`, outside the loader's search path), then fails
mid-request with "Library libcublas.so.12 is not found or cannot be loaded" (the most
reported CTranslate2 problem: faster-whisper #717 and #1431, CTranslate2 #1933).

`preload_cublas()` loads the wheel's libraries into the process with RTLD_GLOBAL before
CTranslate2 asks: the dynamic loader then answers CTranslate2's dlopen by soname with the
copy already loaded. Whether it worked is proven by the translator's first real call
(`CT2Translator` probes at load), not assumed here.
"""

from __future__ import annotations

import ctypes
import logging
import sys
from functools import lru_cache
from pathlib import Path

log = logging.getLogger("qabrief.translate")

CUBLAS_LIBS = ("libcublasLt.so.12", "libcublas.so.12")  # Lt first: libcublas needs it
CUBLAS_FIX = "pip install nvidia-cublas-cu12 (CUDA 12's cuBLAS, which CTranslate2's wheels need)"
GPU_EXTRA = "pip install 'qabrief[gpu]'"


def wheel_folders() -> list[Path]:
    """Every `nvidia/cublas/lib` folder on sys.path (the nvidia-cublas-cu12 wheel's)."""
    return [Path(p) / "nvidia" / "cublas" / "lib" for p in sys.path
            if p and (Path(p) / "nvidia" / "cublas" / "lib").is_dir()]


@lru_cache(maxsize=1)
def preload_cublas() -> str | None:
    """Load CUDA 12's cuBLAS from the pip wheel, once per process; returns the folder it came
    from, or None when no wheel is installed or it does not load (the probe then says why)."""
    if not sys.platform.startswith("linux"):
        return None
    for folder in wheel_folders():
        try:
            for name in CUBLAS_LIBS:
                ctypes.CDLL(str(folder / name), mode=ctypes.RTLD_GLOBAL)
        except OSError as exc:  # a broken or partial wheel: try the next folder
            log.debug("cannot load cuBLAS 12 from %s: %s", folder, exc)
            continue
        log.info("loaded CUDA 12 cuBLAS for CTranslate2 from %s", folder)
        return str(folder)
    return None


def is_missing_cuda_library(exc: BaseException) -> bool:
    """True for CTranslate2's 'Library libXXX.so.NN is not found or cannot be loaded'."""
    text = str(exc)
    return "cannot be loaded" in text or ("Library lib" in text and "not found" in text)
