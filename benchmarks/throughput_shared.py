"""What the throughput benchmarks share: the seed's sentences, the random-weight model of
opus-mt-zh-en's exact shape, the fixed output length and the peak-memory reading.

Its own module so that `translate_throughput.py` (the CPU benchmark, which hands
`--device cuda` to `gpu_throughput.py`) and `gpu_throughput.py` do not import each other.
"""

from __future__ import annotations

import math
import resource
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited across
    fork and exec from the parent that built the model)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def output_tokens(source_tokens: int) -> int:
    return math.ceil(1.3 * source_tokens)


def seed_sentences(limit: int | None) -> list[str]:
    from qabrief import parse
    from qabrief.translate.prepare import prepare_source

    transcript = parse(SEED)
    sentences = [prepare_source(s.text) for t in transcript.turns for s in t.sentences]
    return [s for s in sentences if s][:limit]


def build_model(out: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from make_tiny_model import build

    tokenizer, model = build(out, [], d_model=512, layers=6, heads=8, ffn=2048, vocab_size=65001, max_length=512)
    model.generation_config.num_beams = 4
    model.save_pretrained(out)
    tokenizer.save_pretrained(out)
