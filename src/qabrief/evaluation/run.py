"""`qabrief eval`: translate a reference set with each model and backend, score the English.

Each Chinese reference is split into its sentences and translated the way a brief
translates (one batched call, no cache: the run measures the model, not the cache), then
joined and scored against the reference English. Time counts the translation only;
peak memory is the process's resident peak from the model's load to the end of its
translation (Linux's VmHWM, reset before each model), so models in one run do not
inherit each other's peak.
"""

from __future__ import annotations

import contextlib
import json
import re
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from ..errors import QabriefError
from ..fidelity import Glossary
from ..parse.sentences import split_sentences
from .metrics import comet, corpus_scores, numbers_kept, terms_kept
from .references import Pair


@dataclass
class ModelScore:
    model: str
    backend: str
    translator: str  # what served it ("CTranslate2 int8 on cpu, 2 threads, beam 4")
    reference: str
    pairs: int
    sentences: int
    chrf: float | None = None
    chrf_pp: float | None = None
    bleu: float | None = None
    numbers_kept: int = 0
    numbers_total: int = 0
    terms_kept: int = 0
    terms_total: int = 0
    seconds: float = 0.0
    sentences_per_s: float = 0.0
    peak_mb: float | None = None
    comet: float | None = None
    note: str = ""  # a skipped metric, or why the model could not run


def evaluate(pairs: list[Pair], reference: str, model: str | None, backend: str = "auto", device: str = "auto",
             beams: int | None = None, glossary: Glossary | None = None, with_comet: bool = True) -> ModelScore:
    from ..translate import load_translator

    sentences_of = [[s.text for s in split_sentences(p.zh)] or [p.zh] for p in pairs]
    unique = list(dict.fromkeys(s for group in sentences_of for s in group))
    score = ModelScore(str(model), backend, "", reference, len(pairs), len(unique))
    _reset_peak()
    try:
        translator = load_translator(model, device=device, backend=backend, beams=beams, cache=False)
    except QabriefError as exc:
        score.note = f"not run: {exc}"
        return score
    score.translator = translator.description
    start = time.perf_counter()
    try:
        english = dict(zip(unique, translator.translate(unique)))
    except Exception as exc:  # a model that dies mid-run costs its own row, never the others' scores
        from ..translate.loading import failure_reason

        score.note = f"failed while translating: {failure_reason(exc)}"
        return score
    score.seconds = time.perf_counter() - start
    score.peak_mb = _peak_mb()
    score.sentences_per_s = len(unique) / score.seconds if score.seconds else 0.0
    hypotheses = [" ".join(english[s] for s in group if english[s]) for group in sentences_of]
    sources, references = [p.zh for p in pairs], [p.en for p in pairs]
    scores = corpus_scores(hypotheses, references)
    score.chrf, score.chrf_pp, score.bleu = scores["chrf"], scores["chrf++"], scores["bleu"]
    score.numbers_kept, score.numbers_total = numbers_kept(sources, hypotheses)
    score.terms_kept, score.terms_total = terms_kept(sources, hypotheses, glossary or Glossary.load())
    if with_comet:
        score.comet, score.note = comet(sources, hypotheses, references)
    else:
        score.note = "COMET not asked for"
    return score


def _reset_peak() -> None:
    with contextlib.suppress(OSError):  # elsewhere than Linux the peak is the process's
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM (Linux ≥ 4.0)


def _peak_mb() -> float | None:
    try:
        match = re.search(r"VmHWM:\s+(\d+)", Path("/proc/self/status").read_text())
    except OSError:
        return None
    return int(match.group(1)) / 1024 if match else None


def as_json(scores: list[ModelScore]) -> str:
    return json.dumps([asdict(s) for s in scores], ensure_ascii=False, indent=2)


def as_table(scores: list[ModelScore]) -> str:
    head = (f"{'model':28s} {'pairs':>5s} {'sent':>5s} {'chrF':>6s} {'chrF++':>6s} {'BLEU':>6s} {'numbers':>13s} "
            f"{'terms':>13s} {'sent/s':>7s} {'peak MB':>8s} {'COMET':>6s}  translator")
    lines = [f"reference: {scores[0].reference}" if scores else "no models", head]
    for s in scores:
        if s.chrf is None:
            lines.append(f"{s.model:28s} {s.note}")
            continue
        lines.append(
            f"{s.model[-28:]:28s} {s.pairs:5d} {s.sentences:5d} {s.chrf:6.1f} {s.chrf_pp:6.1f} {s.bleu:6.1f} "
            f"{_share(s.numbers_kept, s.numbers_total):>13s} {_share(s.terms_kept, s.terms_total):>13s} "
            f"{s.sentences_per_s:7.1f} {s.peak_mb or 0:8.0f} {'-' if s.comet is None else f'{s.comet:.1f}':>6s}  "
            f"{s.translator}")
    notes = sorted({s.note for s in scores if s.note and s.chrf is not None})
    return "\n".join(lines + notes)


def _share(kept: int, total: int) -> str:
    return f"{kept}/{total} {100 * kept / total:3.0f}%" if total else "-"
