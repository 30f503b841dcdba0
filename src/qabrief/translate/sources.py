"""Where a model's files come from: the models folder, the Hugging Face cache, the Hub, or a
CTranslate2 conversion that follows its source.

Nothing here chooses a backend (that is `loading.py`); it answers "is this model here, and
where", downloads a CTranslate2-only preset on first use where the Hub is reachable, and
keeps each conversion tied to the folder it came from: a conversion records the source's
fingerprint (`fingerprint.py`) and is redone when the source changes, and a folder outside
the models folder is converted under a name that carries its fingerprint, so two models
in folders of the same name (`run1/final`, `run2/final`) never share one conversion.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from ..errors import QabriefError
from .registry import ResolvedModel, converted_folder, find_converted, models_dir

log = logging.getLogger("qabrief.translate")
FAST_MODEL_HINT = "quickmt-zh-en or opus-mt-zh-en"


class NotDownloaded(QabriefError):
    """The model is neither local nor reachable: the message says what to run. Nothing was loaded."""


def is_native_ct2(resolved: ResolvedModel) -> bool:
    """Published in CTranslate2 form only (quickmt): no transformers path exists for it."""
    from .ct2 import is_ct2_folder

    return bool(resolved.spec and resolved.spec.weights == "ct2") or is_ct2_folder(resolved.local_path)


def must_load_locally(resolved: ResolvedModel) -> bool:
    """True when the model is here (load with local_files_only), False when transformers may fetch
    it from the Hub; raises NotDownloaded, with the command to run, when it can do neither."""
    if resolved.local_path:
        return True
    from .download import download_command, hub_reachable, offline

    if _in_hf_cache(resolved.hub_id):
        return True
    name = resolved.spec.name if resolved.spec else resolved.hub_id
    where = f"{models_dir() / resolved.spec.name}" if resolved.spec else "the Hugging Face cache"
    if offline() or not hub_reachable():
        fix = download_command(name) if resolved.spec else f"huggingface-cli download {resolved.hub_id}"
        raise NotDownloaded(
            f"model {name} is not in {where} and the Hugging Face Hub is "
            f"{'disabled (HF_HUB_OFFLINE)' if offline() else 'unreachable'}; connect to the network and run: {fix}"
        )
    return False


def _in_hf_cache(hub_id: str | None) -> bool:
    if not hub_id:
        return False
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        raise QabriefError("translation needs huggingface_hub: pip install 'qabrief[translate]'") from None
    cache_dir = os.environ.get("HF_HUB_CACHE") or (
        os.path.join(os.environ["HF_HOME"], "hub") if os.environ.get("HF_HOME") else None)
    try:
        hit = try_to_load_from_cache(hub_id, "config.json", cache_dir=cache_dir)
    except (OSError, ValueError) as exc:  # an unreadable cache or an invalid id: not in the cache
        log.debug("Hugging Face cache lookup for %s failed: %s", hub_id, exc)
        return False
    return isinstance(hit, str)


def source_folder(resolved: ResolvedModel) -> Path | None:
    """The local transformers folder of a model: its folder, or its Hugging Face cache snapshot."""
    if resolved.local_path is not None:
        return resolved.local_path
    if not resolved.hub_id:
        return None
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(resolved.hub_id, local_files_only=True))
    except Exception as exc:  # huggingface_hub raises several kinds for "not in the cache"
        log.debug("no cached snapshot of %s: %s", resolved.hub_id, exc)
        return None


def native_ct2_folder(resolved: ResolvedModel) -> Path:
    """A preset published only in CTranslate2 form, fetched on first use where the Hub is reachable
    (as transformers does for the others: a Space starts with none); else the command to run."""
    from .ct2 import is_ct2_folder
    from .download import download_command, download_model, hub_reachable, offline

    if resolved.local_path and is_ct2_folder(resolved.local_path):
        return resolved.local_path
    if resolved.spec is None or offline() or not hub_reachable():
        raise NotDownloaded(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    log.info("downloading %s into %s (once)", resolved.label, models_dir() / resolved.spec.name)
    return download_model(resolved.spec.name)


def conversion_name(resolved: ResolvedModel) -> str | None:
    """What a model's CTranslate2 conversion is called in the models folder: a preset's or a
    models-folder model's own name; a folder elsewhere, its name and fingerprint."""
    from .fingerprint import folder_fingerprint

    if resolved.spec:
        return resolved.spec.name
    path = resolved.local_path
    if path is None:
        return None
    try:
        inside = path.resolve().parent == models_dir().resolve()
    except OSError:
        inside = False
    return path.name if inside else f"{path.name}-{folder_fingerprint(path)[:12]}"


def has_conversion_or_source(resolved: ResolvedModel, name: str) -> bool:
    return find_converted(name) is not None or source_folder(resolved) is not None


def current_conversion(resolved: ResolvedModel, quantization: str) -> Path | None:
    """The CTranslate2 form of a transformers model, converted now when there is none or when
    its source changed since (`autoconvert.py` does the conversion and records the source)."""
    from .autoconvert import SOURCE_RECORD, convert_locked, recorded_source
    from .fingerprint import folder_fingerprint

    name = conversion_name(resolved)
    if name is None:
        return None
    source = source_folder(resolved)
    existing = find_converted(name, quantization)
    if existing is not None and (source is None or recorded_source(existing) == folder_fingerprint(source)):
        return existing
    if source is None:
        return None  # not downloaded: the transformers path says what to run
    if existing is not None:
        log.info("%s changed since its CTranslate2 conversion (%s differs): converting again", resolved.label,
                 SOURCE_RECORD)
    return convert_locked(source, converted_folder(name, quantization), quantization, resolved.label)
