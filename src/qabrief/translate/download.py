"""Getting model weights: `qabrief models download NAME` and the offline checks.

Downloads go to models/NAME (resumable: huggingface_hub skips complete files and resumes
partial ones). Only the files a model needs are fetched: safetensors weights when the
repository has them (else pytorch_model.bin), configs, tokenizer and sentencepiece files
— not the TensorFlow, Flax or Rust copies some repositories also carry. A GGUF repository
holds one file per quantisation (Hy-MT2-1.8B-GGUF: several, a gigabyte or more each): only
the preset's one file is fetched (`ModelSpec.file`).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

from ..errors import QabriefError
from .registry import MODELS, models_dir

NEEDED = ["*.json", "*.spm", "*.model", "*.txt", "sentencepiece*", "source*", "target*", "vocab*"]
# A model published in CTranslate2 format: exactly what inference reads (quickmt's own
# downloader takes the same list), never the training checkpoint beside it (eole_model/).
CT2_NEEDED = ["README.md", "config.json", "model.bin", "source_vocabulary.json", "target_vocabulary.json",
              "shared_vocabulary.json", "vocabulary.json", "src.spm.model", "tgt.spm.model"]
NEVER = ["eole_model/*", "eole-model/*", "*.ipynb_checkpoints*"]


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT") or "https://huggingface.co"


def offline() -> bool:
    from ..settings import env_flag

    return env_flag("HF_HUB_OFFLINE", False)


def hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP connect to the hub, so that no caller waits for long network timeouts."""
    if offline():
        return False
    url = urlparse(hub_endpoint())
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        with socket.create_connection((url.hostname, port), timeout=timeout):
            return True
    except OSError:
        return False


def download_command(name: str) -> str:
    return f"qabrief models download {name}"


def download_patterns(weights: str, files: list[str], file: str | None = None) -> list[str]:
    """The files of a repository published in `weights` form needs for inference (glob patterns);
    `file`: a GGUF preset's one quantisation file, the only one fetched."""
    if weights == "gguf":
        if not file:
            raise QabriefError("a GGUF preset names the one file to fetch")
        return [file]
    if weights == "ct2":
        return CT2_NEEDED
    weights = ["*.safetensors"] if any(f.endswith(".safetensors") for f in files) else ["pytorch_model.bin"]
    return NEEDED + weights


def download_model(name: str, progress: bool = True) -> Path:
    """Fetch preset `name` into models/NAME; returns the folder."""
    if name not in MODELS:
        raise QabriefError(f"unknown model {name!r}; presets: {', '.join(MODELS)}")
    spec = MODELS[name]
    if offline():
        raise QabriefError("HF_HUB_OFFLINE is set: unset it to download models")
    if not hub_reachable():
        raise QabriefError(f"cannot reach {hub_endpoint()} to download {spec.hub_id}; check the network "
                           "(or set HF_ENDPOINT to a mirror) and run the command again: downloads resume")
    from huggingface_hub import list_repo_files, snapshot_download

    target = models_dir() / name
    try:
        files = [] if spec.weights == "gguf" else list_repo_files(spec.hub_id)  # a GGUF preset names its file
        allow = download_patterns(spec.weights, files, spec.file)
        snapshot_download(spec.hub_id, local_dir=target, allow_patterns=allow, ignore_patterns=NEVER)
    except Exception as exc:  # network and hub errors come in many types; all end the same way
        raise QabriefError(f"download of {spec.hub_id} failed: {exc}; run the command again to resume") from None
    if spec.weights == "gguf" and not (target / spec.file).is_file():
        raise QabriefError(f"{spec.hub_id} has no file {spec.file}: nothing was downloaded")
    return target
