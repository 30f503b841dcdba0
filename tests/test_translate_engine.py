"""The engine shared by the backends, on a test double whose output can be checked character
by character: each Chinese character comes back as a fixed number of "words", and the double
obeys the token cap exactly as a model does (it stops there and says so)."""

import threading

import pytest

from qabrief.translate.engine import CUT_OFF, ModelTranslator, Output
from qabrief.translate.prepare import halve, prepare_source, split_sentences


class Spelling(ModelTranslator):
    """Writes each character as `words_per_char` words "u<codepoint>"; one token per character in."""

    def __init__(self, limit=20, max_length=100, words_per_char=1):
        super().__init__()
        self.limit, self.max_length, self.words_per_char = limit, max_length, words_per_char
        self.guard = False  # its "English" is not language: the degeneracy heuristics do not apply
        self.caps: list[int] = []

    def count_tokens(self, text):
        return len(text) + 1

    def _generate_batch(self, texts, min_new, max_new, **options):
        self.caps.append(max_new)
        out = []
        for text in texts:
            words = [f"u{ord(ch):x}" for ch in text for _ in range(self.words_per_char)]
            out.append(Output(" ".join(words[: max_new - 1]), cut=len(words) + 1 > max_new))
        return out


def spelled_back(english: str, words_per_char: int = 1) -> str:
    words = english.split()
    return "".join(chr(int(w[1:], 16)) for w in words[::words_per_char])


# 1,000 characters, no punctuation, already Simplified (the engine converts to Simplified first)
TEXT = prepare_source("".join(chr(0x4E00 + (i * 37) % 2000) for i in range(1000)))


def test_every_character_of_a_long_unpunctuated_sentence_comes_back_in_order():
    engine = Spelling(limit=20)
    (result,) = engine.translate_detailed([TEXT])
    assert spelled_back(result.text) == TEXT
    assert not result.suspect and engine.model_calls >= 1


def test_output_at_the_cap_is_retried_with_the_models_full_cap():
    engine = Spelling(limit=20, max_length=100, words_per_char=4)  # 17 characters (18 tokens) need 69; first cap 64
    (result,) = engine.translate_detailed([TEXT[:17]])
    assert spelled_back(result.text, 4) == TEXT[:17] and not result.suspect
    assert engine.caps == [64, 100]


def test_output_still_at_the_full_cap_is_retried_in_halves():
    engine = Spelling(limit=20, max_length=100, words_per_char=8)  # 17 characters need 137 tokens
    (result,) = engine.translate_detailed([TEXT[:17]])
    assert spelled_back(result.text, 8) == TEXT[:17] and not result.suspect


def test_output_that_never_fits_is_flagged_cut_off():
    engine = Spelling(limit=20, max_length=5, words_per_char=8)  # not even one character fits
    (result,) = engine.translate_detailed([TEXT[:17]])
    assert result.suspect and result.reason == CUT_OFF
    assert engine.model_calls <= 1 + 2 + 4 + 8 + 1  # halving is bounded


def test_concurrent_calls_get_their_own_answers():
    engine = Spelling(limit=20)
    texts = [TEXT[i * 50:(i + 1) * 50] for i in range(8)]
    results: dict[int, str] = {}

    def ask(i):
        results[i] = engine.translate_detailed([texts[i]])[0].text

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [spelled_back(results[i]) for i in range(8)] == texts


def test_retried_pieces_are_remembered_within_a_bound():
    engine = Spelling()
    engine.recent_retries.extend(str(i) for i in range(10_000))
    assert len(engine.recent_retries) == engine.recent_retries.maxlen


# the first half: cut at the clause break nearest the middle, else at the middle, moved past a
# run of Latin letters or digits unless the whole piece is one
@pytest.mark.parametrize("text, first", [("我们走吧。", "我们"), ("他说：“好。”我们走吧！真的？是", "他说：“好。"),
                                         ("一，二三四五六，七", "一，"), ("abc123def", "abc1"),
                                         ("数字2021年", "数字2021"), ("好", None), ("", None)])
def test_sentence_split_and_halving_lose_nothing(text, first):
    assert "".join(split_sentences(text)) == text
    halves = halve(text)
    if first is None:  # too short to halve
        assert halves is None
    else:
        assert halves[0] == first and "".join(halves) == text and all(halves)
