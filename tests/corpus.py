"""The shared corpus (../shared/corpus) and the hand-written expectations about it (tests/data).

Corpus files start with lines that describe them (SOURCE:, FORMAT:) up to the first empty
line: our metadata, not what a user pastes, so `transcript_text` leaves them out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpus"
TRANSCRIPTS = CORPUS / "transcripts"
BILINGUAL = CORPUS / "bilingual" / "mfa-2018-2019.jsonl"  # 353 Foreign Ministry conferences, Chinese and English
EXPECTED_TURNS = ROOT / "tests" / "data" / "parse_corpus"


def transcript_text(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    return body if sep and head.startswith("SOURCE:") else text


def expected_turns(name: str) -> list[dict]:
    return json.loads((EXPECTED_TURNS / f"{name}.json").read_text(encoding="utf-8"))["turns"]


def corpus_names() -> list[str]:
    return sorted(p.stem for p in EXPECTED_TURNS.glob("*.json"))


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class TurnScore:
    name: str
    expected: int
    predicted: int
    matched: int
    roles_right: int
    missed: list[str]

    @property
    def precision(self) -> float:
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.expected if self.expected else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def role_accuracy(self) -> float:
        return self.roles_right / self.matched if self.matched else 0.0


def _begins(text: str, want: str) -> bool:
    """`want` at the start of `text`, allowing a short stage note before it ("(開場白)")."""
    return want in text[: len(want) + 8]


def score_turns(name: str, transcript) -> TurnScore:
    """Match parsed turns to the expected ones, in order, by the text each starts with.

    The expected starts were copied from the stored page, mirror-site artefacts and all;
    they get the same repair the reader applies before comparing. A parsed turn with a
    speaker is a claim that a turn starts there: it counts in precision. An unlabelled
    block counts only when it is an expected (unlabelled) turn."""
    from qabrief.parse.mirror import repair_mirror_artefacts

    expected = expected_turns(name)
    text = transcript.text
    starts = [(_squash(text[t.start:t.start + 200]), t) for t in transcript.turns]
    matched, roles_right, position, missed = 0, 0, 0, []
    hits = set()
    for exp in expected:
        want = _squash(repair_mirror_artefacts(exp["starts"])[0])
        for i in range(position, len(starts)):
            turn = starts[i][1]
            if any(_begins(candidate, want) for candidate in (starts[i][0], _squash(turn.text),
                                                                _squash(turn.reference))):
                matched += 1
                roles_right += turn.role == exp["role"]
                hits.add(i)
                position = i + 1
                break
        else:
            missed.append(f"{exp['label']}: {exp['starts']}")
    predicted = sum(1 for i, (_, t) in enumerate(starts) if t.speaker is not None or i in hits)
    return TurnScore(name, len(expected), predicted, matched, roles_right, missed)
