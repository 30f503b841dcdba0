"""Cross-request batching: simultaneous requests share model calls, keep their own results
and their own failures."""

import threading

import pytest

from qabrief.translate.base import Translation, Translator
from qabrief.translate.cache import CachedTranslator, TranslationCache
from qabrief.translate.shared import BatchingTranslator, batched_across_requests


class Recording(Translator):
    """Upper-cases (an English stand-in that shows which text came back where); the first
    call waits until released, so the requests that arrive meanwhile queue up."""

    cache_key = "recording"
    description = "recording"

    def __init__(self, fails_on: str | None = None):
        self.calls: list[list[str]] = []
        self.release = threading.Event()
        self.fails_on = fails_on

    def translate_detailed(self, sentences):
        self.calls.append(list(sentences))
        self.release.wait(timeout=10)
        if self.fails_on and any(self.fails_on in s for s in sentences):
            raise RuntimeError(f"model failed on {self.fails_on}")
        return [Translation(s, s.upper()) for s in sentences]


def ask_at_once(translator, requests):
    results, errors = {}, {}

    def ask(i, sentences):
        try:
            results[i] = translator.translate(sentences)
        except RuntimeError as exc:
            errors[i] = str(exc)

    threads = [threading.Thread(target=ask, args=(i, s)) for i, s in enumerate(requests)]
    threads[0].start()
    while not translator.inner.calls:  # the first request holds the model...
        pass
    for t in threads[1:]:  # ...while the others arrive
        t.start()
    while translator._pending.qsize() < len(requests) - 1:
        pass
    translator.inner.release.set()
    for t in threads:
        t.join(timeout=10)
    return results, errors


def test_requests_waiting_together_share_one_model_call_and_get_their_own_english():
    inner = Recording()
    translator = BatchingTranslator(inner)
    requests = [["a1", "a2"], ["b1"], ["c1", "c2", "c3"], ["d1"]]
    results, errors = ask_at_once(translator, requests)
    assert not errors
    assert results == {i: [s.upper() for s in r] for i, r in enumerate(requests)}
    assert inner.calls == [["a1", "a2"], ["b1", "c1", "c2", "c3", "d1"]]  # the three waiting: one call
    assert translator.combined_calls == 1


def test_one_requests_failure_does_not_touch_the_others():
    inner = Recording(fails_on="poison")
    translator = BatchingTranslator(inner)
    requests = [["a1"], ["b1"], ["poison"], ["d1"]]
    results, errors = ask_at_once(translator, requests)
    assert errors == {2: "model failed on poison"}
    assert results == {0: ["A1"], 1: ["B1"], 3: ["D1"]}


def test_an_empty_request_never_reaches_the_model():
    inner = Recording()
    assert BatchingTranslator(inner).translate([]) == [] and inner.calls == []


def test_a_cache_stays_in_front_of_the_batching(tmp_path):
    inner = Recording()
    inner.release.set()
    cached = CachedTranslator(inner, TranslationCache(tmp_path / "cache.sqlite"))
    translator = batched_across_requests(cached)
    assert translator is cached and isinstance(cached.inner, BatchingTranslator)
    assert translator.translate(["x"]) == ["X"] and translator.translate(["x", "y"]) == ["X", "Y"]
    assert inner.calls == [["x"], ["y"]]  # the cached sentence never waited for the model


class Gated(Translator):
    """The real model behind a gate: its first call waits until released, so the requests that
    arrive meanwhile queue up and must be served by one combined call."""

    def __init__(self, model):
        self.model, self.calls, self.release = model, [], threading.Event()
        self.cache_key, self.description = model.cache_key, model.description

    def translate_detailed(self, sentences):
        self.calls.append(list(sentences))
        self.release.wait(timeout=60)
        return self.model.translate_detailed(sentences)


@pytest.mark.parametrize("fixture", ["tiny_model_dir"])
def test_the_real_model_gives_each_request_what_it_gets_alone(request, fixture, memorized_pairs):
    from qabrief.translate import load_translator

    model = load_translator(request.getfixturevalue(fixture), backend="transformers", cache=False)
    alone = {zh: model.translate([zh])[0] for zh, _ in memorized_pairs}
    translator = BatchingTranslator(Gated(model))
    results, errors = ask_at_once(translator, [[zh] for zh, _ in memorized_pairs])
    assert not errors
    assert {memorized_pairs[i][0]: en[0] for i, en in results.items()} == alone
    # the combined path ran: the requests that waited went to the model in one call, batched together
    assert translator.combined_calls == 1 and len(translator.inner.calls) == 2
    assert translator.inner.calls[1] == [zh for zh, _ in memorized_pairs[1:]]
    assert {zh: en for zh, en in memorized_pairs if alone[zh] == en}  # memorised pairs came back verbatim
