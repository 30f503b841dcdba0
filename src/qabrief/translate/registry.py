"""The one place that knows which models exist: preset names → hub ids, licences, sizes,
language codes, and the local folder each lives in.

`resolve_model` accepts a preset name, a local folder, or a hub id ("org/name"); the
environment variable QABRIEF_MODEL picks the default preset and QABRIEF_MODELS_DIR moves
the folder of local models (default: `models/` in the current directory).

The default without QABRIEF_MODEL: quickmt-zh-en wherever CTranslate2 is installed (the
app, `qabrief[fast]`): it publishes FLORES-101 devtest chrF 58.4 against opus-mt-zh-en's
52.2, and runs only on CTranslate2; elsewhere opus-mt-zh-en, which transformers runs.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from ..errors import QabriefError


@dataclass(frozen=True)
class ModelSpec:
    name: str
    hub_id: str
    license: str
    params: str
    download_mb: int
    architecture: str  # what the network is: "marian", "m2m100", "nllb", "transformer", "causal-lm"
    src_lang: str | None = None  # language code the tokenizer needs, if any
    tgt_lang: str | None = None  # forced first target token, if any
    note: str = ""
    prompt: str | None = None  # causal-lm: the prompt style its card documents (prompts.py)
    restriction: str = ""  # what the licence forbids beyond attribution (shown wherever the model is offered)
    beams: int | None = None  # the card's decoding, where it recommends one we can run deterministically
    weights: str = "transformers"  # the form it is published in: "transformers", "ct2" (CTranslate2 only) or "gguf"
    file: str | None = None  # gguf: the one quantisation file of the repository that is fetched and run
    transformers_min: str | None = None  # the oldest transformers its card says loads its weights


# How fast the GGUF form ran on the benchmark machine (benchmarks/gguf_refine.py; docs/performance.md)
GGUF_SPEED = ("benchmark machine (2 shared cores, AVX2), 8 sentences at once, 2 threads: about 0.19 sentences/s "
              "when quiet (the seed's 53-sentence summary in 277 s; more under load): a second English in "
              "the background, not the first")

MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec("opus-mt-zh-en", "Helsinki-NLP/opus-mt-zh-en", "Apache-2.0", "78M", 310, "marian",
                  note="OPUS-MT transformer-base (2020); the default without CTranslate2; FLORES-101 chrF 52.2"),
        ModelSpec("opus-mt-tc-bible-big-zhx-en", "Helsinki-NLP/opus-mt-tc-bible-big-zhx-en", "Apache-2.0", "236M",
                  950, "marian", note="OPUS-MT transformer-big, 2024; better quality, ~3x slower"),
        ModelSpec("m2m100_418M", "facebook/m2m100_418M", "MIT", "418M", 1940, "m2m100", src_lang="zh",
                  tgt_lang="en", note="many-to-many; needs language codes zh/en"),
        ModelSpec("nllb-200-distilled-600M", "facebook/nllb-200-distilled-600M", "CC-BY-NC-4.0", "600M", 2460,
                  "nllb", src_lang="zho_Hans", tgt_lang="eng_Latn", note="non-commercial licence"),
        ModelSpec("quickmt-zh-en", "quickmt/quickmt-zh-en", "CC-BY-4.0", "200M", 420, "transformer",
                  note="transformer (2025), CTranslate2 format; the default with CTranslate2; FLORES-101 chrF 58.4",
                  weights="ct2"),
        # Decoder-only language models (causal-lm): a CUDA GPU with ~16 GB free for the 7B ones (bf16).
        ModelSpec("hunyuan-mt-7b", "tencent/Hunyuan-MT-7B", "Tencent Hunyuan Community", "7B", 16060, "causal-lm",
                  note="first in 30 of 31 WMT25 pairs; needs a CUDA GPU; transformers >= 4.56",
                  prompt="hunyuan-mt",
                  restriction="not licensed in the EU, the UK or South Korea; its output may not be used to "
                              "improve other AI models; over 100 million monthly users need Tencent's licence"),
        ModelSpec("seed-x-ppo-7b", "ByteDance-Seed/Seed-X-PPO-7B", "OpenMDW-1.0", "7.5B", 15000, "causal-lm",
                  note="ByteDance Seed-X (2025), translation-tuned Mistral; needs a CUDA GPU; beam 4 as its card",
                  prompt="seed-x", beams=4),
        # Tencent's Hy-MT2 (2026, Apache-2.0 since 2026-05-26): one prompt style for the family, each size with
        # its own chat template and end-of-turn token (its tokenizer's). Figures: the Hy-MT2 report (arXiv
        # 2605.22064), XCOMET-XXL averaged over Chinese<=>33 languages, so not zh->en alone.
        ModelSpec("hy-mt2-7b", "tencent/Hy-MT2-7B", "Apache-2.0", "7B", 15000, "causal-lm",
                  note="Hy-MT2 (2026): FLORES-200 ZH<=>XX XCOMET 89.45, WMT25 63.86 (its report); the language "
                       "model for one GPU (~16 GB, bf16)", prompt="hy-mt2", transformers_min="5.6"),
        ModelSpec("hy-mt2-1.8b", "tencent/Hy-MT2-1.8B", "Apache-2.0", "1.8B", 3600, "causal-lm",
                  note="Hy-MT2 (2026): FLORES-200 ZH<=>XX XCOMET 84.26 (its report); needs a CUDA GPU (4 GB, bf16)",
                  prompt="hy-mt2", transformers_min="5.6"),
        ModelSpec("hy-mt2-1.8b-gguf", "tencent/Hy-MT2-1.8B-GGUF", "Apache-2.0", "1.8B", 1130, "gguf",
                  note="Hy-MT2-1.8B quantised Q4_K_M: runs on a CPU with llama.cpp (pip install -e \".[gguf]\"); "
                       + GGUF_SPEED,
                  prompt="hy-mt2", weights="gguf", file="Hy-MT2-1.8B-Q4_K_M.gguf"),
        ModelSpec("qwen2.5-7b-instruct", "Qwen/Qwen2.5-7B-Instruct", "Apache-2.0", "7.6B", 15230, "causal-lm",
                  note="general instruction model; needs a CUDA GPU", prompt="qwen-instruct"),
        ModelSpec("qwen2.5-1.5b-instruct", "Qwen/Qwen2.5-1.5B-Instruct", "Apache-2.0", "1.5B", 3090, "causal-lm",
                  note="small instruction model; needs a CUDA GPU (4 GB)", prompt="qwen-instruct"),
    )
}
log = logging.getLogger("qabrief.translate")
_announced: set[tuple[str, str]] = set()
FAST_DEFAULT = "quickmt-zh-en"  # wherever CTranslate2 is installed
PORTABLE_DEFAULT = "opus-mt-zh-en"  # transformers, every machine


def models_dir() -> Path:
    from .. import settings

    return settings.path("QABRIEF_MODELS_DIR")


def default_model() -> str:
    """QABRIEF_MODEL, else quickmt-zh-en where CTranslate2 is installed, else opus-mt-zh-en;
    the first call of a process logs which and why (one line)."""
    name, why = default_choice()
    if (name, why) not in _announced:
        _announced.add((name, why))
        log.info("default model: %s (%s)", name, why)
    return name


def default_choice() -> tuple[str, str]:
    """(the default model, why it is the default), for the one log line and `models list`."""
    from .. import settings

    if settings.text("QABRIEF_MODEL"):
        return settings.text("QABRIEF_MODEL"), "QABRIEF_MODEL is set"
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return PORTABLE_DEFAULT, (f"CTranslate2 is not installed, and {FAST_DEFAULT} runs only on it "
                                  "(pip install 'qabrief[fast]')")
    return FAST_DEFAULT, "CTranslate2 is installed"


@dataclass(frozen=True)
class ResolvedModel:
    """Where to load a model from: a local folder, or (with the network) a hub id."""

    spec: ModelSpec | None
    local_path: Path | None
    hub_id: str | None

    @property
    def label(self) -> str:
        return self.spec.name if self.spec else str(self.local_path or self.hub_id)


def resolve_model(model: str | os.PathLike | None = None) -> ResolvedModel:
    """Preset name, local folder or hub id → ResolvedModel; unknown names list the presets."""
    name = str(model) if model is not None else default_model()
    if name in MODELS:
        spec = MODELS[name]
        local = models_dir() / name
        return ResolvedModel(spec, local if _has_model(local) else None, spec.hub_id)
    path = Path(name).expanduser()
    if path.is_dir():
        if not _has_model(path):
            raise QabriefError(f"{path} is a folder but holds no model (no config.json, model.bin or .gguf file)")
        return ResolvedModel(_spec_for_hub_id(None), path, None)
    if "/" in name and not path.exists() and name.count("/") == 1 and not name.startswith((".", "/", "~")):
        spec = _spec_for_hub_id(name)
        local = models_dir() / spec.name if spec else None
        return ResolvedModel(spec, local if local and _has_model(local) else None, name)
    raise QabriefError(f"unknown model {name!r}; presets: {', '.join(MODELS)} (or give a local folder or a hub id)")


def _spec_for_hub_id(hub_id: str | None) -> ModelSpec | None:
    return next((s for s in MODELS.values() if s.hub_id == hub_id), None)


def _has_model(path: Path) -> bool:
    return path.is_dir() and ((path / "config.json").is_file() or (path / "model.bin").is_file()
                              or any(path.glob("*.gguf")))


def is_downloaded(name: str) -> bool:
    return _has_model(models_dir() / name)


QUANTIZATIONS = ("int8", "int8_float16", "float16", "float32")


def converted_folder(name: str, quantization: str) -> Path:
    """Where `qabrief models convert NAME --quantization Q` puts the CTranslate2 form."""
    return models_dir() / f"{name}-ct2-{quantization}"


def find_converted(name: str, preferred: str = "int8") -> Path | None:
    """The CTranslate2 form of a model: the preferred quantization, else any that exists."""
    for quant in (preferred, *QUANTIZATIONS):
        folder = converted_folder(name, quant)
        if (folder / "model.bin").is_file():
            return folder
    return None
