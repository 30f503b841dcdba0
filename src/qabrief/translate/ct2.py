"""The CTranslate2 backend: the same Marian models with int8 weights, several times faster
on CPU. Optional: `pip install 'qabrief[fast]'`.

Two model forms load here:
- a folder made by `qabrief models convert NAME` (model.bin plus the original tokenizer
  files: source.spm, target.spm, vocab.json), tokenized into the same pieces as the
  transformers backend's MarianTokenizer (marian_pieces.py, without importing transformers);
- a folder published in CTranslate2 format with separate sentencepiece models
  (src.spm.model / tgt.spm.model, as quickmt-zh-en), tokenized with sentencepiece into the
  bare pieces, as quickmt's own translator does: the folder's config.json says whether
  CTranslate2 adds a source BOS or EOS (quickmt-train exports add_source_bos), and only
  the files at the top level are read (quickmt's `eole_model/` checkpoint never is).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import QabriefError
from .cuda_libs import CUBLAS_FIX, is_missing_cuda_library, preload_cublas
from .device import DeviceChoice, choose_device
from .engine import ModelTranslator, Output
from .fingerprint import folder_fingerprint
from .marian_pieces import MarianPieces

FAST_EXTRA = "pip install 'qabrief[fast]'"
CPU_INTER_THREADS = 2  # batches decoded at once on a CPU, threads split between them: 1.46x, +200 MB (README)


def require_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise QabriefError(f"the ct2 backend needs CTranslate2: {FAST_EXTRA}") from None
    return ctranslate2


def is_ct2_folder(path: Path | None) -> bool:
    return bool(path) and (path / "model.bin").is_file() and (path / "config.json").is_file()


class CT2Unavailable(QabriefError):
    """CTranslate2 cannot run this model on this device (a library it needs is missing, or
    its first computation failed); `--backend auto` falls back, `ct2` reports it."""

    def __init__(self, message: str, device: str):
        super().__init__(message)
        self.device = device  # where it could not run: "cpu", "cuda:0"


PROBE = "你好。"  # the load-time proof that a computation runs: one short sentence, greedy, 4 tokens


class CT2Translator(ModelTranslator):
    backend = "ct2"

    def __init__(
        self,
        folder: Path,
        label: str,
        device: str = "auto",
        compute_type: str | None = None,
        beams: int | None = None,
        max_length: int | None = None,
        max_batch_tokens: int | None = None,
        fixed_output_tokens: Callable[[int], int] | None = None,
        guard: bool = True,
        inter_threads: int | None = None,
    ):
        ctranslate2 = require_ctranslate2()
        super().__init__()
        try:
            self.choice: DeviceChoice = choose_device(device, backend="ct2", compute_type=compute_type)
        except QabriefError as exc:  # a GPU CTranslate2 cannot see: `auto` gives it to transformers
            raise CT2Unavailable(str(exc), device) from None
        kind, _, index = self.choice.device.partition(":")
        if kind == "cuda":
            preload_cublas()  # CUDA 12's cuBLAS from its pip wheel, before CTranslate2's first dlopen
        # On a CPU, batches run in parallel on `inter_threads` workers of
        # threads/inter_threads threads each (measured in benchmarks/translate_throughput.py).
        cores = self.choice.threads or 1
        self.inter_threads = max(1, min(cores, inter_threads or (CPU_INTER_THREADS if kind == "cpu" else 1)))
        try:
            self.model = ctranslate2.Translator(
                str(folder), device=kind, device_index=int(index or 0), compute_type=self.choice.dtype,
                intra_threads=max(1, cores // self.inter_threads) if self.choice.threads else 0,
                inter_threads=self.inter_threads,
            )
        except (RuntimeError, ValueError) as exc:
            raise CT2Unavailable(f"cannot load CTranslate2 model from {folder} on {self.choice.device}: {exc}",
                                 self.choice.device) from None
        self.limit = 512  # the tokenizer's own limit, when it states one, replaces this
        self._load_tokenizer(folder)
        self.beams = beams or self._default_beams(folder)
        self.max_length = min(max_length or self._default_max_length(folder), self.limit)
        self.serve_as(max_batch_tokens, fixed_output_tokens, guard)
        self.cache_key = (f"ct2|{label}|content:{folder_fingerprint(folder)}|{self.choice.dtype}|beams={self.beams}"
                          f"|max_length={self.max_length}")
        self.description = f"CTranslate2 {self.choice.description}, beam {self.beams}"
        self.probe()

    def probe(self) -> None:
        """One real computation now: CTranslate2 loads cuBLAS and its kernels at the first
        translation, not at construction, so a missing library would otherwise surface in the
        middle of a visitor's brief. Raises CT2Unavailable with the fix."""
        try:
            self.model.translate_batch([self.tokens(PROBE)], beam_size=1, max_decoding_length=4)
        except (RuntimeError, OSError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            fix = f"; fix: {CUBLAS_FIX}" if is_missing_cuda_library(exc) else ""
            raise CT2Unavailable(f"CTranslate2 cannot run on {self.choice.device}: {reason}{fix}",
                                 self.choice.device) from None

    def _load_tokenizer(self, folder: Path) -> None:
        import json

        self._hf = None
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        # tokens CTranslate2 itself adds to every source: counted against the model's input limit
        self._added = int(bool(config.get("add_source_bos"))) + int(bool(config.get("add_source_eos")))
        if (folder / "src.spm.model").is_file():
            import sentencepiece as spm

            self._src = spm.SentencePieceProcessor(model_file=str(folder / "src.spm.model"))
            self._tgt = spm.SentencePieceProcessor(model_file=str(folder / "tgt.spm.model"))
            self._pieces = None
            return
        self._pieces = MarianPieces.load(folder)  # no transformers import, hence no torch: ~220 MB less
        if self._pieces is not None:
            self.limit = min(512, self._pieces.limit)
            return
        from transformers import AutoTokenizer

        try:
            self._hf = AutoTokenizer.from_pretrained(str(folder), local_files_only=True)
        except (OSError, ValueError) as exc:
            raise QabriefError(f"{folder} has no tokenizer files (convert with `qabrief models convert`): "
                               f"{str(exc).splitlines()[0]}") from None
        self.limit = min(512, getattr(self._hf, "model_max_length", 512) or 512)

    @staticmethod
    def _default_max_length(folder: Path) -> int:
        """The output cap the model was published with (generation_config.json), else 512."""
        import json

        gen = folder / "generation_config.json"
        if gen.is_file():
            return int(json.loads(gen.read_text()).get("max_length") or 512)
        return 512

    @staticmethod
    def _default_beams(folder: Path) -> int:
        import json

        gen = folder / "generation_config.json"
        if gen.is_file():
            return int(json.loads(gen.read_text()).get("num_beams") or 4)
        return 4

    def tokens(self, text: str) -> list[str]:
        if self._pieces is not None:
            return self._pieces.tokens(text)
        if self._hf is not None:
            return self._hf.convert_ids_to_tokens(self._hf(text, verbose=False)["input_ids"])
        return self._src.encode(text, out_type=str)

    def detokenize(self, tokens: list[str]) -> str:
        if self._pieces is not None:
            return self._pieces.detokenize(tokens)
        if self._hf is not None:
            return self._hf.decode(self._hf.convert_tokens_to_ids(tokens), skip_special_tokens=True)
        return self._tgt.decode(tokens)

    def count_tokens(self, text: str) -> int:
        return len(self.tokens(text)) + self._added

    def _generate_batches(self, jobs, **options) -> list[list[Output]]:
        """All batches submitted at once, so `inter_threads` workers decode them in parallel."""
        if self.inter_threads == 1 or len(jobs) < 2:
            return super()._generate_batches(jobs, **options)
        pending = [(self.model.translate_batch([self.tokens(t) for t in texts], beam_size=self.beams,
                                               max_decoding_length=max_new, min_decoding_length=min_new or 0,
                                               asynchronous=True, **options), max_new)
                   for texts, min_new, max_new in jobs]
        return [[self._output(r.result(), max_new) for r in results] for results, max_new in pending]

    def _output(self, result, max_new: int) -> Output:
        # CTranslate2 leaves </s> out of the hypothesis: one as long as the cap never ended.
        return Output(self.detokenize(result.hypotheses[0]), cut=len(result.hypotheses[0]) >= max_new)

    def _generate_batch(self, texts: list[str], min_new: int | None, max_new: int, **options) -> list[Output]:
        results = self.model.translate_batch(
            [self.tokens(t) for t in texts], beam_size=self.beams, max_decoding_length=max_new,
            min_decoding_length=min_new or 0, **options,
        )
        return [self._output(r, max_new) for r in results]


def convert(source: Path, target: Path, quantization: str) -> Path:
    """Convert a local transformers model folder to CTranslate2 (tokenizer files alongside)."""
    require_ctranslate2()
    from ctranslate2.converters import TransformersConverter

    if not (source / "config.json").is_file():
        raise QabriefError(f"{source} is not a transformers model folder (no config.json); download it first")
    copy = [f.name for f in source.iterdir() if f.is_file() and (f.suffix in (".spm", ".model") or f.name in (
        "vocab.json", "tokenizer_config.json", "special_tokens_map.json", "generation_config.json",
        "tokenizer.json", "sentencepiece.bpe.model"))]
    try:
        TransformersConverter(str(source), copy_files=copy).convert(str(target), quantization=quantization,
                                                                     force=True)
    except (RuntimeError, ValueError, NotImplementedError) as exc:
        raise QabriefError(f"conversion of {source} failed: {exc}") from None
    return target
