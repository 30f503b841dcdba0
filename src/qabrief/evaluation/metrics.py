"""Scores of a system's English against references: sacrebleu's chrF, chrF++ and BLEU
(corpus level, its default tokenisation), the share of the source's numbers and glossary
terms that survive (the brief's own fidelity checks), and COMET where it can run.

sacrebleu is the standard MT metric implementation (`pip install 'qabrief[eval]'`); COMET
needs `unbabel-comet` and its model in the Hugging Face cache, and is skipped with a note
that says so otherwise: a missing optional metric never stops an evaluation.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..errors import QabriefError
from ..fidelity import Glossary, check_numbers, chinese_quantities

COMET_MODEL = "Unbabel/wmt22-comet-da"


def corpus_scores(hypotheses: Sequence[str], references: Sequence[str]) -> dict[str, float]:
    try:
        from sacrebleu.metrics import BLEU, CHRF
    except ImportError:
        raise QabriefError("qabrief eval needs sacrebleu: pip install 'qabrief[eval]'") from None
    refs = [list(references)]
    return {"chrf": CHRF().corpus_score(hypotheses, refs).score,
            "chrf++": CHRF(word_order=2).corpus_score(hypotheses, refs).score,
            "bleu": BLEU().corpus_score(hypotheses, refs).score}


def numbers_kept(sources: Sequence[str], hypotheses: Sequence[str]) -> tuple[int, int]:
    """(source quantities whose value and kind the English carries, source quantities)."""
    total = kept = 0
    for source, hypothesis in zip(sources, hypotheses):
        found = len(chinese_quantities(source))
        total += found
        kept += found - len(check_numbers(source, hypothesis))
    return kept, total


def terms_kept(sources: Sequence[str], hypotheses: Sequence[str], glossary: Glossary) -> tuple[int, int]:
    """(glossary terms of the sources rendered as the glossary says, glossary terms of the sources)."""
    checks = [c for s, h in zip(sources, hypotheses) for c in glossary.check(s, h)]
    return sum(c.found for c in checks), len(checks)


def comet(sources: Sequence[str], hypotheses: Sequence[str], references: Sequence[str]) -> tuple[float | None, str]:
    """(system COMET score or None, a note when it was skipped)."""
    try:
        from comet import download_model, load_from_checkpoint
    except ImportError:
        return None, "COMET skipped: pip install unbabel-comet"
    try:
        path = download_model(COMET_MODEL)
        model = load_from_checkpoint(path)
        data = [{"src": s, "mt": h, "ref": r} for s, h, r in zip(sources, hypotheses, references)]
        return float(model.predict(data, batch_size=16, gpus=0, progress_bar=False).system_score) * 100, ""
    except Exception as exc:  # offline, no model in the cache, a library error: the other metrics stand
        return None, f"COMET skipped: {type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''}"
