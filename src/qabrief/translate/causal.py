"""The causal-LM backend: decoder-only translation models (Hunyuan-MT, Seed-X, Qwen) with transformers.

The brief's unit stays the Chinese sentence. Each is one prompt, built as the model's
card documents it (`prompts.py`), with the sentences before it in its turn as context
the model is told not to translate (`base.Request`); prompts of similar length are batched
with left padding, and greedy decoding stops at the end-of-turn token. What such models
do wrong that encoder–decoder models do not is guarded in `llm_output.py` (preambles
such as "Here is the translation:", commentary, an answer in Chinese, the context
translated too); the sentence handling every backend shares (retries, cut-off
detection, halving) is in `engine.py`, which sees only the sentence part of each piece.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import QabriefError
from .base import Request, as_request
from .device import DeviceChoice, choose_device, torch_dtype
from .engine import ModelTranslator, Output
from .guard import degeneracy
from .hf import pretrained, revision
from .llm_output import clean_output, problem_of
from .prepare import halve, prepare_source, split_clauses, split_to_fit
from .prompts import PromptStyle
from .registry import ResolvedModel

log = logging.getLogger("qabrief.translate")
MAX_NEW_TOKENS = 256  # one sentence's English; a longer one is cut off and halved like any other


class PromptedRequests:
    """What a language-model backend (transformers here, llama.cpp in llamacpp.py) shows the engine: its
    pieces are Requests (their context and terms with them), each built into the prompt its style
    documents with `self.tokenizer` (anything with `apply_chat_template`), judged and divided on the
    sentence alone. The backend says how many tokens a text has (`_token_count`)."""

    prompt: PromptStyle
    limit: int
    # How much of the turn's earlier Chinese a prompt carries, at most (its last characters); None: what
    # the request holds (base.MAX_CONTEXT_CHARS). A backend whose prompt tokens cost seconds sets less.
    context_chars: int | None = None

    # -- what the engine sees: pieces are Requests (their context and terms with them), judged and
    # divided on the sentence alone
    def count_tokens(self, piece: str | Request) -> int:
        return self._token_count(self._prompt(piece))

    def _token_count(self, text: str) -> int:
        raise NotImplementedError

    def _prompt(self, piece: str | Request, retry: bool = False) -> str:
        request = as_request(piece)
        context = request.context
        if self.context_chars is not None:
            context = context[-self.context_chars:] if self.context_chars > 0 else ""
        return self.prompt.build(self.tokenizer, request.sentence, context, retry=retry, terms=list(request.terms))

    def degeneracy(self, piece: Request, english: str) -> str | None:
        return problem_of(piece.sentence, english, piece.context) or degeneracy(piece.sentence, english)

    def halve(self, piece: Request) -> list[Request] | None:
        halves = halve(piece.sentence)
        if not halves:
            return None
        return [Request(halves[0], piece.context, piece.terms),
                Request(halves[1], piece.context + halves[0], piece.terms)]

    def clauses(self, piece: Request) -> list[Request]:
        out, before = [], piece.context
        for clause in split_clauses(piece.sentence):
            out.append(Request(clause, before, piece.terms))
            before += clause
        return out

    def pieces(self, request: Request) -> list[Request]:
        # the sentence is prepared and fitted as every backend's; its context and terms go with each piece
        context, sentence = prepare_source(request.context), prepare_source(request.sentence)
        if not sentence:
            return []
        fits = split_to_fit(sentence, lambda t: self.count_tokens(Request(t, context, request.terms)), self.limit)
        return [Request(p, context, request.terms) for p in fits]


class CausalLMTranslator(PromptedRequests, ModelTranslator):
    backend = "transformers"
    wants_context = True

    def __init__(
        self,
        resolved: ResolvedModel,
        prompt: PromptStyle,
        device: str = "auto",
        beams: int | None = None,
        max_length: int | None = None,
        max_batch_tokens: int | None = None,
        fixed_output_tokens: Callable[[int], int] | None = None,
        guard: bool = True,
        local_files_only: bool = True,
        precision: str = "auto",
        loaded: tuple | None = None,
    ):
        """`loaded`: (model, tokenizer) already in memory (the benchmark's random-weight model of a
        preset's shape, built from its config with no download); else both come from the folder or hub."""
        from transformers import AutoModelForCausalLM, AutoTokenizer

        super().__init__()
        if precision == "int8":
            raise QabriefError("--precision int8 is for the encoder-decoder models on a CPU; a language model runs "
                               "in bf16 on a GPU")
        self.resolved, self.prompt = resolved, prompt
        # bf16 on a GPU (these models are trained in it; fp16 can overflow), fp32 on a CPU
        wanted = torch_dtype(precision)
        self.choice: DeviceChoice = choose_device(device, dtype=wanted)
        if wanted == "auto" and self.choice.device.startswith("cuda"):
            self.choice = DeviceChoice(self.choice.device, "bfloat16", self.choice.threads)
        if loaded:
            self.model, self.tokenizer = loaded
            self.model.to(self.choice.device).eval()
        else:
            self.tokenizer, self.model = pretrained(resolved, AutoTokenizer, AutoModelForCausalLM, self.choice,
                                                    local_files_only, padding_side="left")
        self.tokenizer.padding_side = "left"
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.stop_ids = _stop_ids(self.model, self.tokenizer, prompt)
        self.beams = beams or 1
        self.limit = 1024  # prompt tokens: template, context and sentence
        self.max_length = min(max_length or MAX_NEW_TOKENS, 1024)
        self.serve_as(max_batch_tokens, fixed_output_tokens, guard)
        if not self.on_gpu:
            self.max_batch_sentences = 16
        made = "random weights" if loaded else revision(resolved, self.model)
        self.cache_key = (f"causal-lm|{resolved.label}|{made}|{self.choice.dtype}|{prompt.name}|beams={self.beams}"
                          f"|max_length={self.max_length}")
        self.description = f"transformers {self.choice.description}, {prompt.name} prompt, " + (
            "greedy" if self.beams == 1 else f"beam {self.beams}")

    def _token_count(self, text: str) -> int:
        return len(self.tokenizer(text, add_special_tokens=False, verbose=False)["input_ids"])

    def _generate_batch(self, texts: list[str | Request], min_new: int | None, max_new: int,
                        **options) -> list[Output]:
        import torch

        # the engine's retry of a degenerate answer asks for a penalty against loops; an LLM's usual
        # failure is answering otherwise than in English, so its retry states the instruction plainly
        retry = bool(options.pop("repetition_penalty", None))
        if retry:
            options["no_repeat_ngram_size"] = max(4, options.get("no_repeat_ngram_size") or 0)
        prompts = [self._prompt(text, retry) for text in texts]
        enc = self.tokenizer(prompts, return_tensors="pt", padding=True, add_special_tokens=False)
        enc = {k: v.to(self.choice.device) for k, v in enc.items()}
        kwargs = dict(num_beams=self.beams, do_sample=False, max_length=None, max_new_tokens=max_new,
                      eos_token_id=sorted(self.stop_ids), pad_token_id=self.tokenizer.pad_token_id,
                      temperature=None, top_p=None, top_k=None, **options)
        if min_new:
            kwargs["min_new_tokens"] = min_new
        with torch.inference_mode():
            generated = self.model.generate(**enc, **kwargs)
        outputs = []
        contexts = [as_request(text).context for text in texts]
        for row, context in zip(generated[:, enc["input_ids"].shape[1]:].tolist(), contexts):
            ends = [i for i, token in enumerate(row) if token in self.stop_ids]
            produced = row[: ends[0]] if ends else row
            text = self.tokenizer.decode(produced, skip_special_tokens=True)
            outputs.append(Output(clean_output(text, context), cut=not ends and len(row) >= max_new))
        return outputs


def _stop_ids(model, tokenizer, prompt: PromptStyle) -> set[int]:
    """Every token that ends the answer: the generation config's, the tokenizer's, the prompt style's."""
    ids = set()
    for value in (model.generation_config.eos_token_id, tokenizer.eos_token_id):
        ids |= set(value if isinstance(value, list) else [value])
    for token in prompt.stop_tokens:
        token_id = tokenizer.convert_tokens_to_ids(token)
        if isinstance(token_id, int) and token_id != tokenizer.unk_token_id:
            ids.add(token_id)
    ids.discard(None)
    if not ids:
        raise QabriefError("the model names no end-of-sequence token: it would never stop")
    return ids
