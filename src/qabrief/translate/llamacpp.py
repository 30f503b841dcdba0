"""The llama.cpp backend: a language model in GGUF form on the CPU (Hy-MT2-1.8B-GGUF), through
llama-cpp-python (`pip install -e ".[gguf]"`, an optional extra that builds llama.cpp from source
where no wheel fits).

The sentence handling is the causal-LM family's (`causal.PromptedRequests`: each Chinese
sentence one prompt, built as the card documents it through the model's own chat template,
which the GGUF file carries; the turn's earlier sentences as context; the guards and retries
of `engine.py`). What is particular to a CPU is how the prompts are decoded:

- **Several sentences at once.** llama.cpp keeps one KV cache for `parallel` sequences
  (`n_seq_max`, unified cells) and every `llama_decode` call carries one new token of each
  running sequence in one batch, so each weight read from memory serves several sentences.
  A sequence that ends frees its slot for the next waiting prompt at once, whose prompt
  tokens ride in the same batch as the others' next tokens (continuous batching).
- **The shared prompt prefix decoded once.** The prompts of a call share their opening (the
  chat template's start and the instruction up to the sentence): it is decoded once into
  sequence 0 and each sentence's sequence starts as a copy of it (`llama_memory_seq_cp`,
  which shares the cells), kept between calls while the next call's prefix agrees with it.
- **Threads for the machine**: one per core this process may use (`device.available_cores`).

Decoding is greedy (docs/models.md says why): the argmax of each row of logits, stopping at
the model's end-of-generation tokens (llama.cpp's, from the GGUF's own metadata) and the
prompt style's end-of-turn tokens where the vocabulary has them.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import QabriefError
from .base import Request, as_request
from .causal import PromptedRequests
from .device import DeviceChoice, available_cores
from .engine import ModelTranslator, Output
from .llm_output import clean_output
from .prompts import PromptStyle
from .registry import ResolvedModel

log = logging.getLogger("qabrief.translate")
GGUF_EXTRA = 'pip install -e ".[gguf]"'
PARALLEL = 8  # sequences decoded at once on a CPU (docs/performance.md: the gain on 2 cores stops about here)
# The turn's earlier Chinese a CPU prompt carries: its last 40 characters (the end of the sentence before,
# where what "he" or "this" stands for usually is), not the 300 a GPU prompt may. The context form cannot
# share the instruction's opening with the other prompts, so on the seed's summary the prompts were
# 1,776 tokens without context, 4,421 with 40 characters and 9,012 with 300 (docs/performance.md), and
# on a CPU every prompt token costs what an English token does.
CPU_CONTEXT_CHARS = 40
PROMPT_LIMIT = 512  # prompt tokens of one piece: template, context, terms and sentence; a longer one is split
MAX_NEW_TOKENS = 256
NO_REPEAT_NGRAM = 4  # the retry of a degenerate answer bans repeating any 4 generated tokens
_quiet_callback = None  # llama.cpp's log callback, kept alive for as long as the library may call it


def llama_cpp_installed() -> bool:
    try:
        import llama_cpp  # noqa: F401
    except ImportError:
        return False
    return True


def require_llama_cpp(label: str):
    """The llama_cpp module, or the one line that says what to install."""
    try:
        import llama_cpp
    except ImportError:
        raise QabriefError(f"{label} runs on llama.cpp, which is not installed: {GGUF_EXTRA}") from None
    return llama_cpp


def find_gguf(folder: Path | None, wanted: str | None = None) -> Path | None:
    """The GGUF file in a model folder: the preset's own file name, else the folder's only .gguf."""
    if folder is None or not folder.is_dir():
        return None
    if wanted and (folder / wanted).is_file():
        return folder / wanted
    found = sorted(folder.glob("*.gguf"))
    if len(found) > 1:
        raise QabriefError(f"{folder} holds {len(found)} .gguf files ({', '.join(p.name for p in found)}): "
                           "keep one, or give its own folder")
    return found[0] if found else None


def gguf_path(resolved: ResolvedModel) -> Path:
    """The file to load: the models folder's, else (a preset, the Hub reachable) downloaded now, once,
    as a CTranslate2-only preset is; else the command to run."""
    from .download import download_command, download_model, hub_reachable, offline
    from .sources import NotDownloaded

    spec = resolved.spec
    found = find_gguf(resolved.local_path, spec.file if spec else None)
    if found is not None:
        return found
    if spec is None or offline() or not hub_reachable():
        raise NotDownloaded(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    log.info("downloading %s (%s only) once", resolved.label, spec.file)
    found = find_gguf(download_model(spec.name), spec.file)
    if found is None:
        raise NotDownloaded(f"model {resolved.label} is not downloaded: run {download_command(resolved.label)}")
    return found


class GGUFChat:
    """The chat template a GGUF file carries (`tokenizer.chat_template`), rendered as transformers
    renders a tokenizer's (a sandboxed Jinja environment, blocks trimmed), so that one PromptStyle
    builds the same text on either backend."""

    def __init__(self, template: str, bos_token: str = "", eos_token: str = ""):
        from jinja2.ext import loopcontrols
        from jinja2.sandbox import ImmutableSandboxedEnvironment

        def raise_exception(message):
            raise QabriefError(f"the model's chat template refused the prompt: {message}")

        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
        env.globals["raise_exception"] = raise_exception
        self.compiled = env.from_string(template)
        self.bos_token, self.eos_token = bos_token, eos_token

    def apply_chat_template(self, messages: list[dict], tokenize: bool = False,
                            add_generation_prompt: bool = True) -> str:
        return self.compiled.render(messages=messages, add_generation_prompt=add_generation_prompt,
                                    bos_token=self.bos_token, eos_token=self.eos_token)


@dataclass
class _Running:
    index: int  # which text of the call
    seq: int  # its llama.cpp sequence
    pos: int  # the position of its next token
    tokens: list[int] = field(default_factory=list)  # generated so far
    row: int = -1  # its row of logits in the batch just decoded


class LlamaCppTranslator(PromptedRequests, ModelTranslator):
    backend = "llama.cpp"
    wants_context = True
    context_chars = CPU_CONTEXT_CHARS
    beams = 1

    def __init__(
        self,
        resolved: ResolvedModel,
        prompt: PromptStyle,
        path: Path | None = None,
        parallel: int | None = None,
        threads: int | None = None,
        max_length: int | None = None,
        max_batch_tokens: int | None = None,
        fixed_output_tokens: Callable[[int], int] | None = None,
        guard: bool = True,
        **_ignored,
    ):
        """`path`: the GGUF file (default: the resolved model's); `parallel`: sequences decoded at once
        (default PARALLEL); `threads`: default one per available core. `fixed_output_tokens` and
        `guard=False` are the benchmarks' switches (random weights never stop)."""
        super().__init__()
        self.lib = lib = require_llama_cpp(resolved.label)
        from .fingerprint import folder_fingerprint

        self.resolved, self.prompt = resolved, prompt
        self.path = Path(path) if path else gguf_path(resolved)
        self.parallel = max(1, int(parallel or PARALLEL))
        self.threads = max(1, int(threads or available_cores()))
        self.limit = PROMPT_LIMIT
        self.max_length = min(max_length or MAX_NEW_TOKENS, 1024)
        _quiet_logs(lib)
        lib.llama_backend_init()
        params = lib.llama_model_default_params()
        params.n_gpu_layers = 0  # the CPU: the only route of a GGUF model (loading.py)
        self.model = lib.llama_model_load_from_file(str(self.path).encode(), params)
        if not self.model:
            raise QabriefError(f"llama.cpp could not load {self.path} (not a GGUF model of an architecture this "
                               "llama.cpp knows?)")
        self.vocab = lib.llama_model_get_vocab(self.model)
        self.n_vocab = lib.llama_vocab_n_tokens(self.vocab)
        self.tokenizer = self._chat()
        self.stop_ids = self._stop_ids()
        # one KV cache shared by the prefix (sequence 0) and `parallel` sentences, each with room for
        # its prompt and its longest English; a batch holds every sequence's prompt or next token
        self.n_batch = self.limit + self.parallel
        cparams = lib.llama_context_default_params()
        cparams.n_ctx = self.limit + self.parallel * (self.limit + self.max_length)
        cparams.n_batch = cparams.n_ubatch = self.n_batch
        cparams.n_seq_max = self.parallel + 1
        cparams.n_threads = cparams.n_threads_batch = self.threads
        cparams.kv_unified = True
        cparams.no_perf = True
        self.ctx = lib.llama_init_from_model(self.model, cparams)
        if not self.ctx:
            lib.llama_model_free(self.model)
            raise QabriefError(f"llama.cpp could not make a context for {self.path.name} "
                               f"({cparams.n_ctx} tokens, {self.parallel} sequences): out of memory?")
        self.memory = lib.llama_get_memory(self.ctx)
        self.batch = lib.llama_batch_init(self.n_batch, 0, 1)
        self.prefix: list[int] = []  # what sequence 0 holds
        # the opening every plain prompt shares (template and instruction, up to the sentence): a call's
        # prefix is never longer, so that the next call finds it again
        self.opening = self._tokenize(self._prompt(Request("一")))[:-1]
        self.choice = DeviceChoice("cpu", self._quantisation(), self.threads)
        self.serve_as(max_batch_tokens or (1 << 20), fixed_output_tokens, guard)
        self.max_batch_sentences = 1024  # a call is one queue: slots refill as sentences end
        self.call_size = self.parallel  # the brief's calls keep every slot busy
        self.decode_calls = 0  # llama_decode calls, for tests and the benchmark
        self.tokens_decoded = 0  # tokens through llama_decode: prompts (the shared prefix once) and English
        self.cache_key = (f"llama.cpp|{resolved.label}|{self.path.name}|content:{folder_fingerprint(self.path.parent)}"
                          f"|{prompt.name}|context={self.context_chars}|greedy|max_length={self.max_length}")
        self.description = (f"llama.cpp {self.choice.dtype} on cpu, {self.threads} threads, {self.parallel} "
                            f"sentences at once, {prompt.name} prompt, greedy")

    # -- the model's own files: chat template, special tokens, end of generation
    def _meta(self, key: str) -> str | None:
        buf = ctypes.create_string_buffer(1 << 16)
        n = self.lib.llama_model_meta_val_str(self.model, key.encode(), buf, len(buf))
        if n < 0:
            return None
        if n >= len(buf):
            buf = ctypes.create_string_buffer(n + 1)
            self.lib.llama_model_meta_val_str(self.model, key.encode(), buf, len(buf))
        return buf.value.decode("utf-8", errors="replace")

    def _chat(self) -> GGUFChat:
        template = self._meta("tokenizer.chat_template")
        if not template:
            raise QabriefError(f"{self.path.name} carries no chat template (tokenizer.chat_template): its prompt "
                               "cannot be built as its card documents")
        bos, eos = self.lib.llama_vocab_bos(self.vocab), self.lib.llama_vocab_eos(self.vocab)
        return GGUFChat(template, self._piece(bos, special=True) if bos >= 0 else "",
                        self._piece(eos, special=True) if eos >= 0 else "")

    def _stop_ids(self) -> set[int]:
        """The vocabulary's end-of-generation tokens (llama.cpp reads them from the GGUF: eos, eot and the
        like) and the prompt style's end-of-turn tokens where this vocabulary has them as one token."""
        ids = {t for t in range(self.n_vocab) if self.lib.llama_vocab_is_eog(self.vocab, t)}
        for text in self.prompt.stop_tokens:
            tokens = self._tokenize(text)
            if len(tokens) == 1 and self._piece(tokens[0], special=True) == text:
                ids.add(tokens[0])
        if not ids:
            raise QabriefError("the model names no end-of-generation token: it would never stop")
        return ids

    def _quantisation(self) -> str:
        buf = ctypes.create_string_buffer(256)
        self.lib.llama_model_desc(self.model, buf, len(buf))
        described = buf.value.decode("utf-8", errors="replace")  # "hunyuan-dense 1.8B Q4_K - Medium"
        parts = described.split(" ", 2)
        return parts[2] if len(parts) == 3 else described

    # -- tokens
    def _tokenize(self, text: str) -> list[int]:
        data = text.encode("utf-8")
        size = len(data) + 16
        while True:
            buf = (self.lib.llama_token * size)()
            n = self.lib.llama_tokenize(self.vocab, data, len(data), buf, size, False, True)
            if n >= 0:
                return list(buf[:n])
            size = -n

    def _piece(self, token: int, special: bool = False) -> str:
        return self._piece_bytes(token, special).decode("utf-8", errors="replace")

    def _piece_bytes(self, token: int, special: bool = False) -> bytes:
        buf = ctypes.create_string_buffer(64)
        n = self.lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, special)
        if n < 0:
            buf = ctypes.create_string_buffer(-n)
            n = self.lib.llama_token_to_piece(self.vocab, token, buf, len(buf), 0, special)
        return buf.raw[:n]

    def _detokenize(self, tokens: list[int]) -> str:
        return b"".join(self._piece_bytes(t) for t in tokens).decode("utf-8", errors="replace")

    def _detokenize_special(self, tokens: list[int]) -> str:
        """The text of tokens with the special ones written out (what sequence 0 holds, for tests)."""
        return b"".join(self._piece_bytes(t, special=True) for t in tokens).decode("utf-8", errors="replace")

    def _token_count(self, text: str) -> int:
        return len(self._tokenize(text))

    # -- decoding
    def _generate_batch(self, texts: list[str | Request], min_new: int | None, max_new: int,
                        **options) -> list[Output]:
        import numpy as np

        # the engine's retry of a degenerate answer: the instruction stated plainly, and no 4 generated
        # tokens repeated (the transformers backend's no_repeat_ngram_size, on the English alone)
        retry = bool(options.pop("repetition_penalty", None))
        options.pop("no_repeat_ngram_size", None)
        prompts = [self._tokenize(self._prompt(text, retry)) for text in texts]
        for i, prompt in enumerate(prompts):  # a piece fits with its context (pieces()); a context alone may not
            if len(prompt) > self.limit:
                request = as_request(texts[i])
                prompts[i] = self._tokenize(self._prompt(Request(request.sentence, "", request.terms), retry))
                if len(prompts[i]) > self.limit:
                    raise QabriefError(f"a prompt of {len(prompts[i])} tokens is over llama.cpp's {self.limit}")
        shared = self._share_prefix(prompts)
        waiting = deque(range(len(prompts)))
        free = list(range(self.parallel, 0, -1))  # sequence ids; 0 is the prefix
        running: list[_Running] = []
        done: dict[int, Output] = {}
        while waiting or running:
            self._clear_batch()
            for slot in running:  # each running sentence's last token
                slot.row = self._add(slot.tokens[-1], slot.pos, slot.seq, True)
                slot.pos += 1
            while waiting and free and self.batch.n_tokens + len(prompts[waiting[0]]) - shared <= self.n_batch:
                index, seq = waiting.popleft(), free.pop()
                self.lib.llama_memory_seq_rm(self.memory, seq, -1, -1)
                if shared:
                    self.lib.llama_memory_seq_cp(self.memory, 0, seq, -1, -1)
                tokens = prompts[index][shared:]
                for offset, token in enumerate(tokens):
                    row = self._add(token, shared + offset, seq, offset == len(tokens) - 1)
                running.append(_Running(index, seq, len(prompts[index]), row=row))
            if not self.batch.n_tokens:
                raise QabriefError("llama.cpp: a prompt does not fit one batch")  # never: prompts <= limit
            self._decode()
            still = []
            for slot in running:
                logits = np.ctypeslib.as_array(self.lib.llama_get_logits_ith(self.ctx, slot.row), shape=(self.n_vocab,))
                if min_new and len(slot.tokens) < min_new or retry:
                    logits = logits.copy()
                if min_new and len(slot.tokens) < min_new:
                    logits[list(self.stop_ids)] = -np.inf
                if retry:
                    logits[_banned(slot.tokens, NO_REPEAT_NGRAM)] = -np.inf
                token = int(logits.argmax())
                if token in self.stop_ids or len(slot.tokens) >= max_new:
                    cut = token not in self.stop_ids
                    done[slot.index] = Output(clean_output(self._detokenize(slot.tokens),
                                                           as_request(texts[slot.index]).context), cut=cut)
                    self.lib.llama_memory_seq_rm(self.memory, slot.seq, -1, -1)
                    free.append(slot.seq)
                else:
                    slot.tokens.append(token)
                    still.append(slot)
            running = still
        return [done[i] for i in range(len(texts))]

    def _share_prefix(self, prompts: list[list[int]]) -> int:
        """Make sequence 0 hold the prompts' common opening, never beyond the template's own opening
        (keeping what it already holds of it), and return its length; each prompt keeps at least its
        last token for its own sequence."""
        shared = min(len(p) for p in prompts) - 1
        first = prompts[0]
        for prompt in (*prompts[1:], self.opening):
            shared = min(shared, _common(first, prompt))
        shared = max(shared, 0)
        kept = _common(self.prefix, first[:shared])
        if kept < len(self.prefix):
            self.lib.llama_memory_seq_rm(self.memory, 0, kept, -1)
        for start in range(kept, shared, self.n_batch):
            self._clear_batch()
            for pos in range(start, min(shared, start + self.n_batch)):
                self._add(first[pos], pos, 0, False)
            self._decode()
        self.prefix = first[:shared]
        return shared

    def _clear_batch(self) -> None:
        self.batch.n_tokens = 0

    def _add(self, token: int, pos: int, seq: int, logits: bool) -> int:
        i = self.batch.n_tokens
        self.batch.token[i] = token
        self.batch.pos[i] = pos
        self.batch.n_seq_id[i] = 1
        self.batch.seq_id[i][0] = seq
        self.batch.logits[i] = logits
        self.batch.n_tokens = i + 1
        return i

    def _decode(self) -> None:
        if not self.batch.n_tokens:
            return
        code = self.lib.llama_decode(self.ctx, self.batch)
        self.decode_calls += 1
        self.tokens_decoded += self.batch.n_tokens
        if code != 0:
            self.prefix = []
            self.lib.llama_memory_clear(self.memory, True)
            raise QabriefError(f"llama.cpp could not decode a batch of {self.batch.n_tokens} tokens (code {code})")

    def close(self) -> None:
        lib, self.lib = getattr(self, "lib", None), None
        if lib is None:
            return
        lib.llama_batch_free(self.batch)
        lib.llama_free(self.ctx)
        lib.llama_model_free(self.model)

    def __del__(self):
        with contextlib.suppress(Exception):  # interpreter shutdown: the library may be gone first
            self.close()


def _common(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n


def _banned(tokens: list[int], n: int) -> list[int]:
    """Tokens that would repeat an n-gram already generated (HF's no_repeat_ngram_size on the English)."""
    if len(tokens) < n:
        return []
    tail = tuple(tokens[len(tokens) - n + 1:])
    return [tokens[i + n - 1] for i in range(len(tokens) - n + 1) if tuple(tokens[i:i + n - 1]) == tail]


def _quiet_logs(lib) -> None:
    """llama.cpp's logs go to qabrief's logger: errors as warnings, warnings as info, the rest (every tensor at
    load) at debug."""
    global _quiet_callback
    if _quiet_callback is not None:
        return

    @lib.llama_log_callback
    def forward(level, text, _user_data):
        message = (text or b"").decode("utf-8", errors="replace").rstrip()
        if message:
            # ggml's levels: 2 info, 3 warn, 4 error, 5 the continuation of a line (load progress dots)
            log.log({4: logging.WARNING, 3: logging.INFO}.get(level, logging.DEBUG), "llama.cpp: %s", message)

    _quiet_callback = forward
    lib.llama_log_set(forward, ctypes.c_void_p(0))
