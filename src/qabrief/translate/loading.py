"""The loading policy: which backend and device serve a model, how it is loaded and warmed, and
what is tried next when a path fails, at load time and at run time. "Which backend, and
why" is answered here and nowhere else; the app's pool, `qabrief batch` (both engines) and
`qabrief eval` all load through `load_translator` and fall back through `next_route`.

A route is a backend on a device. The first route is the best one that can work here
(`first_route`): CTranslate2 where it is installed and sees the device (the model converted
once into the models folder), else transformers; a language model on transformers and a
GPU; a GGUF model (Hy-MT2-1.8B-GGUF) on llama.cpp and the CPU, its only route. Any failure
while a route loads or warms (a missing library, out of memory, a
corrupt file, a library's ValueError) moves to the next route that FALLBACKS names, as far
as the user's choices allow: a route that changes the backend needs `--backend auto`, one
that changes the device `--device auto`. The reasons go into the translator's description
(the brief's header). With no route left, LoadFailed carries every reason, and the front
ends deliver the Chinese brief with it. Mistakes of the request itself (an unknown model, a
model not downloaded, a language model on a machine without a GPU) are plain
QabriefErrors raised before anything loads.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from ..errors import QabriefError
from .base import Translator
from .cache import CachedTranslator, TranslationCache, cache_enabled
from .device import PRECISIONS, ct2_compute_type
from .registry import ResolvedModel, resolve_model
from .sources import FAST_MODEL_HINT, NotDownloaded, is_native_ct2, must_load_locally

log = logging.getLogger("qabrief.translate")
BACKENDS = ("auto", "transformers", "ct2", "llama.cpp")
_logged: set[str] = set()


class LoadFailed(QabriefError):
    """Every route the request allows failed while loading or warming; the message says why."""


@dataclass(frozen=True)
class Route:
    backend: str  # "ct2", "transformers" or "llama.cpp"
    device: str  # as asked of the backend: "auto", "cpu", "cuda", "cuda:1", "mps"
    reason: str | None = None  # why the better route is not taken (shown in the header)


# What to try after a route fails, by (its backend, the kind of device it ran on): the next
# routes in order, each with its device ("asked": the user's) and the choices the user must
# have left to `auto` for it to be tried.
FALLBACKS: dict[tuple[str, str], tuple[tuple[str, str, frozenset], ...]] = {
    # a GPU CTranslate2 cannot use (cuBLAS missing, out of memory): transformers on it, else
    # (a CTranslate2-only model) CTranslate2 on the CPU
    ("ct2", "cuda"): (("transformers", "asked", frozenset({"backend"})),
                      ("ct2", "cpu", frozenset({"device"}))),
    ("ct2", "cpu"): (("transformers", "asked", frozenset({"backend"})),),
    # a GPU that fails transformers too: the CPU, CTranslate2 first (several times faster there)
    ("transformers", "cuda"): (("ct2", "cpu", frozenset({"backend", "device"})),
                               ("transformers", "cpu", frozenset({"device"}))),
    ("transformers", "mps"): (("transformers", "cpu", frozenset({"device"})),),
    ("transformers", "cpu"): (),
    # a GGUF model runs on llama.cpp on the CPU only: nothing to fall back to
    ("llama.cpp", "cpu"): (),
}


def log_once(message: str) -> None:
    if message not in _logged:
        _logged.add(message)
        log.info(message)


def model_family(resolved: ResolvedModel) -> str:
    """The preset's architecture; for a local folder, "gguf" when it holds a GGUF file (a language model
    llama.cpp runs), "causal-lm" when its config names a causal LM."""
    if resolved.spec is not None:
        return resolved.spec.architecture
    if resolved.local_path is not None and any(resolved.local_path.glob("*.gguf")):
        return "gguf"
    config = resolved.local_path / "config.json" if resolved.local_path else None
    if config is not None and config.is_file():
        import json

        try:
            architectures = json.loads(config.read_text(encoding="utf-8")).get("architectures") or []
        except (OSError, ValueError, AttributeError):
            architectures = []
        if any(str(a).endswith("ForCausalLM") for a in architectures):
            return "causal-lm"
    return ""


def is_language_model(model: str | None) -> bool:
    try:
        return model_family(resolve_model(model or None)) in ("causal-lm", "gguf")
    except QabriefError:
        return False


def torch_sees_a_gpu() -> bool:
    """A CUDA GPU torch can use; torch is imported only where the NVIDIA driver lists a GPU."""
    from .device import nvidia_gpu_present

    if not nvidia_gpu_present():
        return False
    try:
        import torch
    except ImportError:
        return False
    return torch.cuda.is_available()


def _ct2_installed() -> bool:
    try:
        import ctranslate2  # noqa: F401
    except ImportError:
        return False
    return True


def first_route(resolved: ResolvedModel, device: str, backend: str) -> Route:
    """The best route that can work here for what the request asked."""
    from .ct2 import FAST_EXTRA

    device = device or "auto"
    if model_family(resolved) == "gguf":
        return _gguf_route(resolved, device, backend)
    if backend == "llama.cpp":
        raise QabriefError(f"--backend llama.cpp runs GGUF models; {resolved.label} is not one")
    if model_family(resolved) == "causal-lm":
        if backend == "ct2":
            raise QabriefError(f"{resolved.label} is a causal language model: it runs with --backend transformers "
                               "(or auto), not ct2")
        return Route("transformers", _language_model_device(resolved, device))
    native = is_native_ct2(resolved)
    if backend == "transformers" and not native:
        return Route("transformers", device)
    if not _ct2_installed():
        if backend == "ct2" or native:
            raise QabriefError(f"{resolved.label} needs the ct2 backend, which needs CTranslate2: {FAST_EXTRA}"
                               if native else f"--backend ct2 needs CTranslate2: {FAST_EXTRA}")
        log_once(f"CTranslate2 is not installed ({FAST_EXTRA} for the fast CPU backend): using transformers")
        return Route("transformers", device)
    if native or backend == "ct2":
        return Route("ct2", device)
    import ctranslate2

    if device.lower() == "mps":
        return Route("transformers", device)  # CTranslate2 has no Apple GPU backend
    if device.lower() == "auto" and not ctranslate2.get_cuda_device_count() and torch_sees_a_gpu():
        reason = "CTranslate2 sees no CUDA GPU that torch sees"
        log_once(f"{resolved.label}: {reason}; using transformers on the GPU")
        return Route("transformers", device, reason)
    from .sources import conversion_name, find_converted, source_folder

    name = conversion_name(resolved)
    if name is None or (find_converted(name) is None and source_folder(resolved) is None):
        return Route("transformers", device)  # nothing to convert: the transformers path says what to run
    return Route("ct2", device)


def _gguf_route(resolved: ResolvedModel, device: str, backend: str) -> Route:
    """A GGUF model's only route: llama.cpp on the CPU; refused in one line where llama-cpp-python is missing."""
    from .llamacpp import GGUF_EXTRA, llama_cpp_installed

    if backend not in ("auto", "llama.cpp"):
        raise QabriefError(f"{resolved.label} is a GGUF model: it runs with --backend llama.cpp (or auto), "
                           f"not {backend}")
    if device.lower() not in ("auto", "cpu"):
        raise QabriefError(f"{resolved.label} runs on the CPU (llama.cpp), not on {device}")
    if not llama_cpp_installed():
        raise QabriefError(f"{resolved.label} runs on llama.cpp, which is not installed: {GGUF_EXTRA}")
    return Route("llama.cpp", "cpu")


def _language_model_device(resolved: ResolvedModel, device: str) -> str:
    if device.lower() == "auto":
        if not torch_sees_a_gpu():  # refused before anything is downloaded or loaded
            spec = resolved.spec
            size = f" ({spec.params} parameters, about {spec.download_mb / 1000:.0f} GB in bf16)" if spec else ""
            raise QabriefError(
                f"{resolved.label} is a language model{size} that needs a CUDA GPU, and this machine has none; "
                f"choose a model made for CPUs ({FAST_MODEL_HINT}), or force it with --device cpu "
                "(expect minutes per brief)")
        return "cuda"
    if device.lower() == "cpu":
        log.warning("%s on the CPU: a language model of this kind takes minutes per brief there", resolved.label)
    return device


def device_kind(route: Route, where: str | None = None) -> str:
    """"cuda", "cpu" or "mps": where the route ran (`where`, when known) or would run."""
    device = (where or route.device or "auto").lower()
    if device == "auto":
        if route.backend == "ct2":
            import ctranslate2

            return "cuda" if ctranslate2.get_cuda_device_count() else "cpu"
        return "cuda" if torch_sees_a_gpu() else "cpu"
    return device.split(":", 1)[0]


def next_route(resolved: ResolvedModel, device: str, backend: str, failed: Route, where: str | None = None,
               tried: tuple[Route, ...] = ()) -> Route | None:
    """The route FALLBACKS names after `failed` (which ran on `where`), as far as the request allows."""
    language_model = model_family(resolved) == "causal-lm"
    native = is_native_ct2(resolved)
    done = {(r.backend, r.device) for r in (*tried, failed)}
    for nxt_backend, nxt_device, needs in FALLBACKS.get((failed.backend, device_kind(failed, where)), ()):
        if ("backend" in needs and backend != "auto") or ("device" in needs and (device or "auto") != "auto"):
            continue
        if (nxt_backend == "transformers" and native) or (nxt_backend == "ct2" and (
                language_model or not _ct2_installed())) or (nxt_device == "cpu" and language_model):
            continue
        route = Route(nxt_backend, device if nxt_device == "asked" else nxt_device)
        if (route.backend, route.device) not in done:
            return route
    return None


def failure_reason(exc: BaseException) -> str:
    """One line a reader can act on: a QabriefError's own message, else the exception's kind and first line."""
    if isinstance(exc, QabriefError):
        return str(exc)
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:300] if text else type(exc).__name__


def load_translator(
    model: str | os.PathLike | None = None,
    device: str = "auto",
    *,
    backend: str = "auto",
    compute_type: str | None = None,
    beams: int | None = None,
    max_length: int | None = None,
    cache: bool | TranslationCache | None = None,
    precision: str = "auto",
    warm: bool = False,
    **options,
) -> Translator:
    """Load a translator for a preset name, local folder or hub id (default: `default_model()`).

    `backend`: "transformers", "ct2" (CTranslate2, `pip install 'qabrief[fast]'`) or "auto":
    the best route that works here, falling back route by route (FALLBACKS) with the reasons
    in the translator's description. Raises NotDownloaded (with the command to run) or
    another QabriefError for a mistake of the request before anything loads, and LoadFailed
    when every allowed route failed. `cache=False` bypasses the SQLite translation cache;
    None uses it unless QABRIEF_CACHE=off. `precision`: auto, fp32, bf16, fp16 or int8
    (`device.PRECISIONS`). `warm=True` runs a model on a GPU over the batcher's shapes
    before it serves; a failure there is a failure of the route.
    """
    resolved = resolve_model(model)
    if backend not in BACKENDS:
        raise QabriefError(f"unknown backend {backend!r}; choose from {', '.join(BACKENDS)}")
    if precision not in PRECISIONS:
        raise QabriefError(f"unknown precision {precision!r}; choose from {', '.join(PRECISIONS)}")
    if precision == "int8" and model_family(resolved) in ("causal-lm", "gguf"):
        raise QabriefError("--precision int8 is for the encoder-decoder models on a CPU; a language model runs "
                           "in bf16 on a GPU")
    route = first_route(resolved, device, backend)
    reasons = [route.reason] if route.reason else []
    tried: list[Route] = []
    while True:
        try:
            translator = _load_route(route, resolved, compute_type=compute_type, beams=beams,
                                     max_length=max_length, precision=precision, warm=warm, **options)
            break
        except NotDownloaded as missing:
            if not tried:
                raise  # the request's model is not here: say what to run, load nothing else
            exc = missing
        except Exception as failure:  # any failure of a route is a reason, never a lost brief
            exc = failure
        from .device import release_device_memory

        release_device_memory()
        where = getattr(exc, "device", None)
        reason = failure_reason(exc)
        log.warning("%s: %s on %s failed: %s", resolved.label, route.backend, where or route.device, reason)
        if reason not in reasons:  # the same error on the next route is said once
            reasons.append(reason)
        tried.append(route)
        route = next_route(resolved, device, backend, route, where, tuple(tried))
        if route is None:
            raise LoadFailed("; then ".join(reasons)) from exc
    if reasons:  # the header says why the better route is not used
        translator.description += f" ({'; '.join(reasons)})"
    if cache is False or (cache is None and not cache_enabled()):
        return translator
    return CachedTranslator(translator, cache if isinstance(cache, TranslationCache) else None)


def _load_route(route: Route, resolved: ResolvedModel, *, compute_type=None, precision="auto", warm=False,
                **options) -> Translator:
    if route.backend == "ct2":
        translator = _load_ct2(route, resolved, compute_type or ct2_compute_type(precision), **options)
    elif route.backend == "llama.cpp":
        translator = _load_gguf(resolved, precision=precision, **options)
    elif model_family(resolved) == "causal-lm":
        translator = _load_causal(route, resolved, precision=precision, **options)
    else:
        from .hf import HFTranslator

        local_only = must_load_locally(resolved)  # before importing torch: a missing model fails at once
        _require_torch()
        translator = HFTranslator(resolved, device=route.device, local_files_only=local_only, precision=precision,
                                  **options)
    if hasattr(translator, "describe_model"):
        translator.describe_model(resolved.spec, model_family(resolved) or "seq2seq")
    if warm and getattr(translator, "on_gpu", False):
        log_once(f"warming {resolved.label} up on {translator.device}")
        translator.warm_up()
    return translator


def _require_torch() -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        raise QabriefError("translation needs torch and transformers: pip install 'qabrief[translate]'") from None


def _load_ct2(route: Route, resolved: ResolvedModel, compute_type: str | None, **options) -> Translator:
    from .ct2 import CT2Translator, CT2Unavailable
    from .sources import current_conversion, native_ct2_folder

    if is_native_ct2(resolved):
        folder = native_ct2_folder(resolved)
    else:
        on_gpu = device_kind(route) == "cuda"
        try:
            folder = current_conversion(resolved, "int8_float16" if on_gpu else "int8")
        except QabriefError as exc:
            raise CT2Unavailable(f"CTranslate2 conversion failed: {exc}", route.device) from None
        if folder is None:
            raise CT2Unavailable(f"no CTranslate2 form of {resolved.label} and nothing to convert", route.device)
    return CT2Translator(folder, resolved.label, device=route.device, compute_type=compute_type, **options)


def _load_causal(route: Route, resolved: ResolvedModel, *, beams=None, precision="auto", **options) -> Translator:
    """A decoder-only language model: transformers, on the device `first_route` chose."""
    from .prompts import DEFAULT_PROMPT, PROMPTS

    spec = resolved.spec
    _require_torch()
    if spec and spec.transformers_min:  # before anything is fetched
        import transformers
        from packaging.version import Version

        if Version(transformers.__version__) < Version(spec.transformers_min):
            raise QabriefError(f"{spec.name} needs transformers >= {spec.transformers_min} (its card), this is "
                               f"{transformers.__version__}: pip install -U 'transformers>={spec.transformers_min}'")
    local_only = must_load_locally(resolved)
    from .causal import CausalLMTranslator

    style = PROMPTS[spec.prompt] if spec and spec.prompt else PROMPTS[DEFAULT_PROMPT]
    return CausalLMTranslator(resolved, style, device=route.device, local_files_only=local_only,
                              beams=beams or (spec.beams if spec else None), precision=precision, **options)


def _load_gguf(resolved: ResolvedModel, *, beams=None, precision="auto", compute_type=None, **options) -> Translator:
    """A language model in GGUF form: llama.cpp on the CPU, in the quantisation its file holds."""
    from .llamacpp import LlamaCppTranslator
    from .prompts import PROMPTS

    if beams not in (None, 1):
        raise QabriefError(f"{resolved.label} decodes greedily on llama.cpp: --beams is not for it")
    if precision not in ("auto", None):
        raise QabriefError(f"{resolved.label} runs in the quantisation its file holds: --precision is not for it")
    spec = resolved.spec
    style = PROMPTS[spec.prompt] if spec and spec.prompt else PROMPTS["hy-mt2"]
    return LlamaCppTranslator(resolved, style, **options)


def fallback_options(model: str | None, device: str, backend: str, failed: Translator) -> dict | None:
    """How to load the next route after `failed` broke at run time, as `load_translator` keyword
    arguments (device, backend), or None when the table names none the request allows."""
    try:
        resolved = resolve_model(model)
    except QabriefError:
        return None
    route = next_route(resolved, device, backend, Route(failed.backend or "transformers", failed.device or device),
                       failed.device or None)
    return {"device": route.device, "backend": route.backend} if route else None


def plan_key(model: str | None = None, device: str = "auto", backend: str = "auto", precision: str = "auto",
             beams: int | None = None, max_length: int | None = None, **_) -> str:
    """What a batch keys its documents on, without loading anything: the model as its files
    stand (a folder's fingerprint, a cached snapshot's, or the hub id) and the options asked."""
    from .fingerprint import folder_fingerprint
    from .sources import source_folder

    resolved = resolve_model(model)
    source = source_folder(resolved)
    what = f"content:{folder_fingerprint(source)}" if source is not None else f"hub:{resolved.hub_id}"
    return (f"plan|{resolved.label}|{what}|device={device}|backend={backend}|precision={precision}"
            f"|beams={beams}|max_length={max_length}")


def check_request(model: str | None = None, device: str = "auto", backend: str = "auto") -> None:
    """Raise what `load_translator` would raise for a mistake of the request (an unknown model, one
    not downloaded, a language model without a GPU), loading nothing: for a driver whose workers
    load the model (Ray), so that the user hears it once, not once per document."""
    from .ct2 import is_ct2_folder
    from .download import download_command, hub_reachable, offline

    resolved = resolve_model(model)
    route = first_route(resolved, device, backend)
    if is_native_ct2(resolved):
        if not (resolved.local_path and is_ct2_folder(resolved.local_path)) and (offline() or not hub_reachable()):
            raise NotDownloaded(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    elif route.backend == "transformers":
        must_load_locally(resolved)
    elif route.backend == "llama.cpp":
        from .download import download_command, hub_reachable, offline
        from .llamacpp import find_gguf

        if find_gguf(resolved.local_path, resolved.spec.file if resolved.spec else None) is None and (
                resolved.spec is None or offline() or not hub_reachable()):
            raise NotDownloaded(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
