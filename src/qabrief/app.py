"""The Gradio web page: a thin shell over `make_brief` and the renderers.

Nothing heavy happens at import: the model loads on the first request (or in the
background at start on Hugging Face Spaces) and is then shared by all requests, whose
model calls one worker batches together (`translate.shared`). The queue runs at most
QABRIEF_CONCURRENCY briefs at once (default 4) so parallel users cannot exhaust memory;
the rest wait their turn. A request may only name a model the
server offers (`ModelPolicy`); export files live under one folder whose old files are
removed. Every error becomes a message in the page or `{"error": ...}` in the API,
with the traceback in the server log, never shown.
"""

from __future__ import annotations

import atexit
import contextvars
import logging
import os
import queue
import re
import shutil
import sys
import tempfile
import threading
import time
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from html import escape
from pathlib import Path

from . import settings
from .brief import Brief, chinese_brief, english_stages
from .errors import QabriefError
from .fidelity import Glossary
from .model_pool import NO_MODEL, ModelPolicy, TranslatorPool
from .official import ENGLISH_MODES, default_memory
from .render import render_html, render_json, render_markdown
from .render.html import render_error
from .render.json import brief_dict
from .summarize import Budget
from .summarize.limits import Deadline, estimate_cost
from .translate import default_choice, default_model

log = logging.getLogger(__name__)

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "seeds" / "000_5e0600fa31af93ee.txt"
UPLOAD_TYPES = [".txt", ".html", ".htm", ".md"]
SCOPES = ["Summaries only", "Full text"]
PRELOAD_ENV = "QABRIEF_PRELOAD"  # load (and on a GPU warm up) the default model while the page starts
UNEXPECTED = "unexpected error ({}); the server log has details"
DOWNLOADS_KEEP_S = 3600.0  # export files older than this are removed (the browser fetched them long ago)

_pool: TranslatorPool | None = None
_pool_lock = threading.Lock()


def translator_pool() -> TranslatorPool:
    """The process's one pool, created on first use with the policy the environment sets."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = TranslatorPool(policy=ModelPolicy.from_env(), warm=preloading())
        return _pool


def preloading() -> bool:
    """The operator asked for the default model at start (QABRIEF_PRELOAD; on by default on Spaces)."""
    return settings.flag(PRELOAD_ENV)


def model_choices() -> list[str]:
    return translator_pool().policy.offered() + [NO_MODEL]


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8") if EXAMPLE.is_file() else ""


def build_brief(text: str | None, upload: str | None, length: int, scope: str, model: str, device: str,
                progress=None, *args, **options) -> Brief:
    """The one function behind the API: input → Brief (raises QabriefError)."""
    *_, brief = brief_stages(text, upload, length, scope, model, device, progress, *args, **options)
    return brief


def brief_stages(text: str | None, upload: str | None, length: int, scope: str, model: str, device: str,
                 progress=None, backend: str = "auto", glossary_file: str | None = None,
                 enforce_glossary: bool = False, english: str | None = None, english_upload: str | None = None,
                 english_mode: str = ENGLISH_MODES[0], cancelled: Callable[[], bool] | None = None,
                 refine: str | None = None) -> Iterator[Brief]:
    """The one function behind the page and the API, in stages (`iter_brief`): the Chinese brief
    (with the official English, when given, already in place) first, then again after each
    Q&A's machine English (raises QabriefError), then, with a `refine` model, after each sentence
    it refines (refine.py). `cancelled()`: True once whoever asked has gone (checked between units
    of work, as the request's time budget is)."""
    source = _source(text, upload, "paste a transcript or its link, upload a file, or click “Load example”")
    official = (_source(english, english_upload, None, "the official English")
                if (english and english.strip()) or english_upload else None)
    if english_mode not in ENGLISH_MODES:
        raise QabriefError(f"English mode must be one of {', '.join(ENGLISH_MODES)}, not {str(english_mode)[:20]!r}")
    if model != NO_MODEL and translator_pool().policy is not None:  # an offered device and backend only
        translator_pool().policy.check_path(device, backend)
    budget = _budget(length)  # a bad request is refused before any model loads
    from .fetch import looks_like_address
    from .linked_documents import english_at, transcript_at
    from .parse import parse

    fetched = []
    if isinstance(source, str) and looks_like_address(source):  # a link: fetched under the operator's rules
        transcript, origin = transcript_at(source)
        fetched.append(origin)
    else:
        try:
            transcript = parse(source)  # parse errors reach the user before any model loads
        except QabriefError as exc:  # an upload is named as the user knows it, not by the server's temp path
            if not upload:
                raise
            raise QabriefError(str(exc).replace(str(source), source.name)) from None
    glossary = Glossary.load(*([glossary_file] if glossary_file else []))
    if isinstance(official, str) and looks_like_address(official):
        official, origin = english_at(official)
        fetched.append(origin)
    elif official is not None:
        official = _read_official(official)  # its errors too reach the user before any model loads
    pool = translator_pool()
    refine = None if refine in (None, "", NO_MODEL) else refine
    if model != NO_MODEL and pool.policy is not None:
        pool.policy.check(model)  # a refused model is the request's error, before any brief
        if refine:
            pool.policy.check(refine)
    # The Chinese first, with "loading the model" where the English will appear; the model is
    # leased for the whole brief once the Chinese is on the page (a load failure only costs English).
    # the request's time budget: the Chinese is checked between its stages, the English between model calls
    deadline = Deadline(seconds=settings.number("QABRIEF_REQUEST_BUDGET_S"), cancelled=cancelled)
    brief = chinese_brief(transcript, budget, full_text=scope == SCOPES[1], english=official,
                          english_mode=english_mode, glossary=glossary, memory=default_memory(), fetched=fetched,
                          deadline=deadline)
    if model == NO_MODEL:
        with pool.lease(model, device, backend) as (_, notice):
            _add_notice(brief, notice)
        yield brief
        return
    brief.translator, brief.translated, brief.pending = LOADING, True, True
    yield brief
    try:
        with pool.lease(model, device, backend) as (translator, notice):
            if translator is None:
                brief.translator, brief.translated, brief.pending = "none (Chinese only)", False, False
                _add_notice(brief, notice)
                yield brief
                return
            yield from english_stages(brief, translator, progress=progress, glossary=glossary,
                                      enforce_glossary=enforce_glossary, deadline=deadline)
            if brief.english_trace:  # the server's log keeps the traceback; the page has the reason
                log.error("English stopped: %s\n%s", brief.english_error, brief.english_trace)
        if refine and brief.translated and not brief.english_error:  # the fast model's lease has ended
            yield from _refine_stage(brief, pool, refine, device, glossary, progress, deadline)
    except Exception as exc:  # the Chinese is on the page already: it stays, with the reason
        log.exception("English stage failed")
        brief.english_error = UNEXPECTED.format(type(exc).__name__)
        brief.pending = False
        _add_notice(brief, f"English stopped: {brief.english_error}. The Chinese brief is complete.")
        yield brief


LOADING = "loading the model…"  # what the header says where the English will appear


def _refine_stage(brief: Brief, pool: TranslatorPool, refine: str, device: str, glossary, progress,
                  deadline: Deadline) -> Iterator[Brief]:
    """The summary's English again from the refining model, card by card (refine.py); a refiner
    that cannot load leaves the fast English, with the reason."""
    from .refine import refine_stages

    brief.refiner, brief.refining = f"{refine} ({LOADING})", True
    yield brief
    with pool.lease(refine, device, "auto") as (refiner, notice):
        if refiner is None:
            brief.refiner, brief.refining = None, False
            _add_notice(brief, f"Refinement with {refine} is off: {notice}" if notice else None)
            yield brief
            return
        yield from refine_stages(brief, refiner, glossary=glossary, progress=progress, deadline=deadline,
                                 name=refine)


def _add_notice(brief: Brief, notice: str | None) -> None:
    if notice:
        brief.add_notice(with_working_command(notice))


def _source(text: str | None, upload: str | None, missing: str | None, what: str = "the transcript") -> str | Path:
    """The pasted text or the uploaded file, never one silently over the other: both at once are refused."""
    if upload:
        path = Path(upload)
        check_upload(upload)
        if text and text.strip():
            raise QabriefError(f"{what} is both pasted and uploaded ({path.name}): clear the text box or remove "
                               "the file (its ×), so that it is clear which one to brief")
        return path
    if text and text.strip():
        return text
    raise QabriefError(missing)


def check_upload(upload: str | None) -> None:
    """The one message for a file of the wrong type, on upload and on Make brief alike."""
    if upload and Path(upload).suffix.lower() not in UPLOAD_TYPES:
        raise QabriefError(f"{Path(upload).name}: upload a {', '.join(UPLOAD_TYPES)} file "
                           "(a Word or PDF document: save it as text, or paste its text)")


def upload_message(upload: str | None) -> str:
    """The page's answer to an upload: nothing when the file's type is accepted, else the message."""
    try:
        check_upload(upload)
    except QabriefError as exc:
        return render_error(str(exc))
    return ""


def _read_official(source: str | Path):
    from .official import read_english

    try:
        return read_english(source)
    except QabriefError as exc:  # named as the user knows it, not by the server's temp path
        if isinstance(source, Path):
            raise QabriefError(str(exc).replace(str(source), source.name) + " (the official English)") from None
        raise QabriefError(f"{exc} (the official English)") from None


MAX_SENTENCES = 50  # per question or answer: the slider stops at 8, an API client may ask for more


def _budget(length) -> Budget:
    """The summary length a request asks for: 0 (or nothing) is automatic."""
    try:
        sentences = float(length or 0)
    except (TypeError, ValueError, OverflowError):
        sentences = -1.0
    if not sentences.is_integer() or not 0 <= sentences <= MAX_SENTENCES:
        raise QabriefError(f"length must be a whole number of sentences from 0 (automatic) to {MAX_SENTENCES}, "
                           f"not {str(length)[:20]!r}")
    return Budget(sentences=int(sentences)) if sentences else Budget()


def downloads_root() -> Path:
    """One folder for every request's export files, pruned of old ones at each request."""
    return Path(tempfile.gettempdir()) / f"qabrief-downloads-{os.getpid()}"


def _prune_downloads(root: Path) -> None:
    cutoff = time.time() - DOWNLOADS_KEEP_S
    for folder in root.glob("*"):
        try:
            if folder.stat().st_mtime < cutoff:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:  # another request pruned it first
            pass


def _write_downloads(brief: Brief) -> list[str]:
    root = downloads_root()
    _prune_downloads(root)
    folder = root / uuid.uuid4().hex
    folder.mkdir(parents=True)
    outputs = {"md": render_markdown(brief), "html": render_html(brief, standalone=True), "json": render_json(brief)}
    paths = []
    stem = download_name(brief)
    for ext, content in outputs.items():
        path = folder / f"{stem}.{ext}"
        path.write_text(content, encoding="utf-8")
        paths.append(str(path))
    return paths


def download_name(brief: Brief) -> str:
    """The export files' name: the document's date and title (2021-09-19-工信部-推進制造強國…), so that
    a reader's downloads folder tells one brief from another; "brief" only when the document has neither."""
    title = unicodedata.normalize("NFKC", brief.title_zh or "")  # the document's own, not machine English
    words = re.sub(r"[^\w]+", "-", title, flags=re.UNICODE).strip("-_")[:60].rstrip("-_")
    date = (brief.date or "")[:10] if re.match(r"\d{4}-\d\d-\d\d", brief.date or "") else ""
    return "-".join(x for x in (date, words) if x) or "brief"


def run_page(text, upload, length, scope, model, device, progress=None, *args, **options):
    """Page handler without streaming: (brief HTML, download files)."""
    *_, last = stream_page(text, upload, length, scope, model, device, progress, *args, **options)
    return last


def stream_page(text, upload, length, scope, model, device, progress=None, *args,
                **options) -> Iterator[tuple[str, list[str] | None]]:
    """Page handler: yields (brief HTML, None) as the brief fills in — the forecast first, then
    the Chinese cards, then each Q&A's English in document order — and last (brief HTML, download files)."""
    forecast = chinese_forecast(text, upload)
    if forecast:  # not Gradio's guess from earlier requests: this text's cost at measured rates
        if progress is not None:
            progress(0, desc=forecast)
        yield working_html(forecast), None
    report = None
    if progress is not None:
        report = EnglishProgress(progress)
    brief, left = None, threading.Event()
    stages = brief_stages(text, upload, length, scope, model, device, report, *args, cancelled=left.is_set,
                          **options)
    try:
        for brief in in_background(stages, left):
            if brief is None:
                yield None, None  # nothing new: a point where Gradio can stop a page whose visitor left
            elif brief.pending or brief.refining:
                yield render_html(brief), None
    except QabriefError as exc:
        yield render_error(str(exc)), None
        return
    except Exception as exc:  # the page must show a message, never a traceback
        log.exception("brief failed")
        yield render_error(UNEXPECTED.format(type(exc).__name__)), None
        return
    yield render_html(brief), _write_downloads(brief)


HEARTBEAT_S = 2.0  # how often the page's handler is at a yield while a stage runs


def in_background(steps: Iterator, stopped: threading.Event, every: float = HEARTBEAT_S) -> Iterator:
    """`steps`' values, each computed on a worker thread, with None every `every` seconds while a
    step runs. Gradio closes a page's generator at a yield once its visitor has left, but a stage
    (the Chinese of a 5 MB upload: ~40 s) yields nothing until it ends; here the generator is at a
    yield every few seconds, and closing it sets `stopped`, which the work checks between its
    units (a Deadline's `cancelled`) and so stops within one unit."""
    results: queue.SimpleQueue = queue.SimpleQueue()

    def step(context):
        try:
            results.put((True, context.run(next, steps)))  # Gradio's progress lives in context variables
        except BaseException as exc:  # noqa: BLE001 (handed over to the page's thread, which raises it)
            results.put((False, exc))

    running = False
    try:
        while True:
            running = True
            threading.Thread(target=step, args=(contextvars.copy_context(),), daemon=True,
                             name="qabrief-brief-step").start()
            while True:
                try:
                    ok, value = results.get(timeout=every)
                    break
                except queue.Empty:
                    yield None
            running = False
            if not ok:
                if isinstance(value, StopIteration):
                    return
                raise value
            yield value
    finally:
        stopped.set()
        if not running:  # suspended between steps: close it here, so its model lease ends now
            steps.close()  # (a step still running stops at its next check, and the lease ends with it)


def chinese_forecast(text: str | None, upload: str | None) -> str | None:
    """What the page says while the Chinese is read and summarized: `estimate_cost`'s forecast
    for this very text, from the stages' rates that benchmarks/worst_cases.py measured (None for
    a link, or where the request will be refused anyway: its error follows at once)."""
    from .fetch import looks_like_address
    from .parse.reading import MAX_INPUT_BYTES, decode_bytes

    try:
        if upload:
            path = Path(upload)
            if path.suffix.lower() not in UPLOAD_TYPES or path.stat().st_size > MAX_INPUT_BYTES:
                return None
            source, _ = decode_bytes(path.read_bytes(), name=path.name)
        elif text and text.strip() and not looks_like_address(text):
            source = text
        else:
            return None
    except (OSError, QabriefError):
        return None
    cost = estimate_cost(source)
    if cost.seconds < 2:  # the seed's size: the cards are there before a forecast could be read
        return None
    stages = " · ".join(f"{name} {seconds:.0f} s" for name, seconds in cost.stages.items() if seconds >= 0.5)
    return (f"Reading and summarizing the Chinese: about {_duration(cost.seconds)} on this server ({stages}); "
            "the Chinese cards appear first, then the English card by card.")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def working_html(message: str) -> str:
    from .render.html import CSS

    return (f'<style>{CSS}</style><div class="qab"><div class="card notice working" role="status">'
            f"{escape(message)}</div></div>")


class EnglishProgress:
    """The page's progress while the English arrives, with the time left at the rate this very
    brief has shown so far (from its second model call on: the first includes warming up)."""

    def __init__(self, progress, clock=time.monotonic):
        self.progress, self.clock = progress, clock
        self.first: tuple[float, int] | None = None  # (time, sentences done) at the first report

    def __call__(self, done: int, total: int, what: str) -> None:
        now, left = self.clock(), ""
        if self.first is None:
            self.first = (now, done)
        elif done > self.first[1]:
            rate = (now - self.first[0]) / (done - self.first[1])  # seconds a sentence, measured
            left = f", about {_duration(rate * (total - done))} left"
        self.progress((done, total), desc=f"Translating {what}{left}", unit="sentences")


def api_brief(text: str, length: int = 0, full_text: bool = False, model: str | None = None,
              english: str | None = None, english_mode: str = "official") -> dict:
    """API `/brief`: transcript text, or the address of its web page (and optionally its official
    English, as text or an address) → the JSON brief (errors as {"error": message})."""
    try:
        brief = build_brief(text, None, length, SCOPES[1] if full_text else SCOPES[0], model or default_model(),
                            "auto", english=english, english_mode=english_mode or "official")
    except QabriefError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # an API client gets a message, never a traceback
        log.exception("/brief failed")
        return {"error": UNEXPECTED.format(type(exc).__name__)}
    return brief_dict(brief)


def startup_notice(model: str) -> str:
    """What the banner says before any request: how to enable English when it is off, and what
    the chosen model's licence forbids when it forbids more than attribution."""
    from .translate import model_family, must_load_locally, resolve_model, torch_sees_a_gpu

    if model == NO_MODEL:
        return ""
    try:
        translator_pool().policy.check(model)
        resolved = resolve_model(model)
    except QabriefError as exc:
        return _public(f"**English is off.** {exc}. Chinese briefs still work.")
    notes, help_ = [], ""
    if model_family(resolved) == "causal-lm" and not torch_sees_a_gpu():
        notes.append(f"**English is off for {resolved.label}:** it is a language model that needs a CUDA GPU, "
                     "and this server has none. Chinese briefs still work; choose a model made for CPUs for English.")
    else:
        try:
            must_load_locally(resolved)
        except QabriefError as exc:
            notes.append(f"**English is off.** {with_working_command(str(exc))}. Chinese briefs still work.")
            help_ = download_help(resolved.spec.name if resolved.spec else None)
    spec = resolved.spec
    if spec and (spec.restriction or "NC" in spec.license):
        notes.append(f"**Licence of {spec.name}:** {spec.license}" + (
            f": {spec.restriction}." if spec.restriction else " (non-commercial use only)."))
    return "\n\n".join(x for x in (_public("\n\n".join(notes)), help_) if x)


def qabrief_command() -> str:
    """`qabrief` as it runs when typed on this server's machine: `bash scripts/run.sh app` installs it
    into .venv without putting .venv/bin on anyone's PATH, so a bare `qabrief` is not found there.
    A public server's page names no path of the server's (issue 31): there it stays `qabrief`."""
    script = Path(sys.executable).parent / "qabrief"
    if settings.public_server() or not script.is_file() or shutil.which("qabrief") == str(script):
        return "qabrief"
    return str(script)


def with_working_command(text: str) -> str:
    """A message's `qabrief …` command as it works when typed here (`qabrief_command`)."""
    command = qabrief_command()
    return text if command == "qabrief" else re.sub(r"(?<![\w/.])qabrief (?=models )", f"{command} ", text)


def download_help(name: str | None) -> str:
    """For the operator of a private server: where the model goes, and that no restart is needed.
    A public server's page names no folder of the server's (issue 31)."""
    if not name or settings.public_server():
        return ""
    from .translate import models_dir

    where = models_dir().resolve() / name
    return (f"**To turn English on** (on this server's machine, with the network): "
            f"`{qabrief_command()} models download {name}` saves the model in `{where}`. "
            "No restart is needed: the next brief loads it (a failed load is retried after a minute), "
            "and choosing the model again refreshes this notice.")


def _public(text: str) -> str:
    """The page names models, never the server's paths (`ModelPolicy.public_text`)."""
    policy = translator_pool().policy
    return policy.public_text(text) if policy is not None else text


def keeping_notice() -> str:
    """What the server keeps of a visitor's documents, for the page. A public server
    (`settings.public_server`: QABRIEF_PUBLIC, or SPACE_ID on Spaces) keeps nothing unless its
    operator turns learning (QABRIEF_MEMORY_LEARN) or the translation cache (QABRIEF_CACHE) on."""
    from .official.memory import learning_enabled
    from .translate.cache import cache_enabled

    items = (("the official English you give, learned into this server's memory of official renderings",
              learning_enabled()),
             ("the machine English of your sentences, in this server's translation cache", cache_enabled()))
    kept = [what for what, on in items if on]
    not_kept = [what for what, on in items if not on]
    return ("**What this server keeps of your documents.** "
            + (f"Kept: {'; '.join(kept)}. " if kept else "")
            + (f"Not kept: {'; '.join(not_kept)}. " if not_kept else "")
            + "Uploads and download files are removed once an hour old (downloads at the next brief after that).")


def build_app():
    import gradio as gr

    bound_malloc_arenas()  # before the server's threads
    default = default_model()
    # delete_cache: Gradio's own copies of the export files go after an hour, checked every 10 minutes
    with gr.Blocks(title="qabrief — bilingual press-conference briefs", delete_cache=(600, 3600)) as demo:
        name, why = default_choice()
        gr.Markdown("## qabrief\nBilingual briefs of Chinese press conferences: who asked what, what was "
                    f"answered, the Chinese beside the English. Default model: **{_public(name)}** ({why}).")
        banner = gr.Markdown(startup_notice(default), elem_id="banner")
        gr.Markdown(keeping_notice(), elem_id="kept")
        with gr.Row():
            with gr.Column(scale=3):
                text = gr.Textbox(label="Transcript (paste Chinese text, or the link to its web page)", lines=10,
                                  max_lines=20, elem_id="transcript")
                with gr.Row():
                    # no file_types: Gradio's own check would answer a .docx with a second, different
                    # message; `check_upload` answers it once, on upload and on Make brief alike
                    upload = gr.File(label="…or upload .txt / .html / .md", type="filepath", elem_id="upload")
                    example = gr.Button("Load example", elem_id="load-example")
                with gr.Accordion("Official English (optional): the ministry's own English of this transcript",
                                  open=False):
                    english = gr.Textbox(label="Paste the official English, or the link to its page", lines=5,
                                         max_lines=12, elem_id="official-english")
                    english_upload = gr.File(label="…or upload it", type="filepath")
                    english_mode = gr.Radio(list(ENGLISH_MODES), value=ENGLISH_MODES[0], label="English shown",
                                            info="official: the ministry's English where a sentence is linked to it, "
                                                 "machine English elsewhere; machine: machine only; both: side by side")
            with gr.Column(scale=2):
                length = gr.Slider(0, 8, value=0, step=1, label="Sentences per question/answer (0 = automatic)")
                scope = gr.Radio(SCOPES, value=SCOPES[0], label="Translate")
                model = gr.Dropdown(model_choices(), value=model_choices()[0], label="Model")  # the default, by name
                refine = gr.Dropdown([NO_MODEL] + [m for m in model_choices() if m != NO_MODEL], value=NO_MODEL,
                                     label="Refine with",
                                     info="a second, slower model that translates the summary again, card by card, "
                                          "after the fast English (a language model: hy-mt2-1.8b-gguf on a CPU)")
                with gr.Row():
                    policy = translator_pool().policy
                    device = gr.Dropdown(list(policy.devices), value=policy.devices[0], label="Device",
                                         interactive=len(policy.devices) > 1)
                    backend = gr.Dropdown(list(policy.backends), value=policy.backends[0], label="Backend",
                                          interactive=len(policy.backends) > 1,
                                          info="auto: the fastest path that runs here")
                with gr.Row():
                    glossary = gr.File(label="Your glossary (.tsv: Chinese<TAB>English)", file_types=[".tsv", ".txt"],
                                       type="filepath")
                    enforce = gr.Checkbox(label="Enforce glossary renderings", value=False)
                go = gr.Button("Make brief", variant="primary", elem_id="make-brief")
        # the downloads sit just above the brief's header (not below a brief that runs to metres on a
        # phone), hidden until there is a brief to download
        downloads = gr.File(label="Download this brief (Markdown, HTML, JSON)", file_count="multiple",
                            interactive=False, visible=False, elem_id="downloads")
        output = gr.HTML(elem_id="brief")

        def page(text, upload, length, scope, model, device, backend, glossary, enforce, english, english_upload,
                 english_mode, refine=NO_MODEL, progress=gr.Progress()):  # noqa: B008 (gradio's API)
            for html, files in stream_page(text, upload, length, scope, model, device, progress, backend, glossary,
                                           enforce, english=english, english_upload=english_upload,
                                           english_mode=english_mode, refine=refine):
                if html is None:  # a heartbeat: nothing to send
                    yield gr.skip(), gr.skip()
                else:
                    yield html, gr.update(value=files, visible=bool(files))

        def uploaded(path):  # a file of the wrong type is answered at once, with Make brief's message
            message = upload_message(path)
            return (message, gr.update(value=None, visible=False)) if message else (gr.skip(), gr.skip())

        example.click(example_text, None, text, api_name=False)
        upload.upload(uploaded, upload, [output, downloads], api_name=False)
        english_upload.upload(uploaded, english_upload, [output, downloads], api_name=False)
        model.change(startup_notice, model, banner, api_name=False)
        go.click(page, [text, upload, length, scope, model, device, backend, glossary, enforce, english,
                        english_upload, english_mode, refine], [output, downloads], api_name="make_brief")
        gr.api(api_brief, api_name="brief")
    demo.queue(default_concurrency_limit=settings.integer("QABRIEF_CONCURRENCY"), max_size=64)
    return demo


def bound_malloc_arenas(arenas: int = 2) -> bool:
    """Cap glibc's heap arenas (heap.py), unless MALLOC_ARENA_MAX already says how many.

    glibc gives each new thread that allocates its own arena and rarely returns their
    memory: a server whose worker threads take turns translating grew ~80 MB over 7 minutes
    of soak and then stayed there. Two arenas keep it flat; concurrent requests share them."""
    from .heap import cap_arenas

    return cap_arenas(arenas)


def launch(demo=None, **kwargs):
    demo = demo or build_app()
    atexit.register(shutil.rmtree, downloads_root(), ignore_errors=True)
    if preloading():  # fetch, load and (on a GPU) warm the default model while the page starts
        policy = translator_pool().policy
        threading.Thread(target=translator_pool().get, args=(default_model(), policy.devices[0], policy.backends[0]),
                         daemon=True).start()
    kwargs.setdefault("server_name", os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"))
    kwargs.setdefault("server_port", int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
    # Gradio's default pool of 40 worker threads, each with its own memory, for at most
    # QABRIEF_CONCURRENCY briefs at once: a few more than that is plenty.
    kwargs.setdefault("max_threads", settings.integer("QABRIEF_CONCURRENCY") + 6)
    return demo.launch(**kwargs)
