"""Marian's tokenization with sentencepiece alone, for the CTranslate2 backend.

For a converted opus-mt model (source.spm, target.spm, one shared vocab.json) transformers'
MarianTokenizer does little: the source sentencepiece model cuts the text into pieces, a
piece missing from vocab.json becomes <unk>, and </s> ends the sentence; decoding drops the
special tokens and joins the rest back with sentencepiece. CTranslate2 takes and returns
those pieces as strings. The trade-off: importing transformers just to do that imports torch
too, about 220 MB resident in a process that otherwise never needs it (the CTranslate2 path
of a full-text brief: 893 → 520–560 MB), against a few lines that must stay equal to
MarianTokenizer. tests/test_translate_ct2.py checks them token for token against it over
the seed and the corpus; folders this does not cover (separate vocabularies) keep the
transformers tokenizer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SPECIAL = ("</s>", "<unk>", "<pad>")
SPIECE_UNDERLINE = "▁"
_SPECIAL_RE = re.compile("(" + "|".join(re.escape(s) for s in SPECIAL) + ")")


class MarianPieces:
    """`tokens(text)` → pieces ending in </s>; `detokenize(pieces)` → text."""

    def __init__(self, folder: Path, config: dict | None = None):
        import sentencepiece as spm

        config = config if config is not None else _config(folder)
        self.limit = int(config.get("model_max_length") or 512)
        self.vocab = frozenset(json.loads((folder / "vocab.json").read_text(encoding="utf-8")))
        self.source = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))

    @classmethod
    def load(cls, folder: Path) -> MarianPieces | None:
        """The tokenizer of `folder`, or None when it is not a shared-vocabulary MarianTokenizer."""
        config = _config(folder)
        return cls(folder, config) if config is not None else None

    @staticmethod
    def covers(folder: Path) -> bool:
        """True for a folder whose tokenizer is a shared-vocabulary MarianTokenizer."""
        return _config(folder) is not None

    def tokens(self, text: str) -> list[str]:
        out: list[str] = []
        for i, part in enumerate(_SPECIAL_RE.split(text)):  # [text, special, text, …]
            if i % 2:  # a special token written in the text stays that token, as in transformers
                out.append(part)
                continue
            code = []
            if part.startswith(">>") and (end := part.find("<<")) != -1:  # target-language code
                code, part = [part[: end + 2]], part[end + 2:]
            out += [p if p in self.vocab else "<unk>" for p in code + self.source.encode(part, out_type=str)]
        return out + ["</s>"]

    def detokenize(self, pieces: list[str]) -> str:
        # transformers decodes a shared vocabulary with the source model (use_source_tokenizer)
        kept = [p for p in pieces if p not in SPECIAL]
        return self.source.decode_pieces(kept).replace(SPIECE_UNDERLINE, " ").strip()


def _config(folder: Path) -> dict | None:
    """tokenizer_config.json of a folder this module tokenizes exactly as transformers, else None."""
    try:
        config = json.loads((folder / "tokenizer_config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    names = ("source.spm", "target.spm", "vocab.json")
    covered = (config.get("tokenizer_class") == "MarianTokenizer" and not config.get("separate_vocabs")
               and all((folder / n).is_file() for n in names)
               and all(config.get(k, v) == v for k, v in
                       (("eos_token", "</s>"), ("unk_token", "<unk>"), ("pad_token", "<pad>"))))
    return config if covered else None
