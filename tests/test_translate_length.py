"""Nothing is cut off: long input is split to fit, long output is detected at the token cap,
retried, and flagged only when it still ends there — on both backends, with the tiny model."""

import random
import shutil

import pytest

from qabrief.translate import load_translator
from qabrief.translate.engine import CUT_OFF
from qabrief.translate.prepare import prepare_source, split_to_fit

BACKENDS = ["transformers", "ct2"]


@pytest.fixture(scope="module")
def models_folder(tiny_model_dir, tmp_path_factory):
    folder = tmp_path_factory.mktemp("length-models")
    shutil.copytree(tiny_model_dir, folder / "tiny")
    return folder


def make(backend, models_folder, monkeypatch, **options):
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(models_folder))
    if backend == "ct2":
        pytest.importorskip("ctranslate2", reason="the ct2 backend is the optional extra qabrief[fast]")
        from qabrief.translate.registry import converted_folder

        if not (converted_folder("tiny", "int8") / "model.bin").is_file():
            from qabrief.translate.ct2 import convert

            convert(models_folder / "tiny", converted_folder("tiny", "int8"), "int8")
    return load_translator(models_folder / "tiny", device="cpu", backend=backend, cache=False, **options)


def normal_pairs(pairs):
    return [(zh, en) for zh, en in pairs if en and "陆陆续续" not in zh and not zh.endswith("，") and "QXA" not in zh
            and "700万" not in zh]


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_3000_character_paragraph_comes_back_sentence_by_sentence(backend, models_folder, monkeypatch,
                                                                     memorized_pairs):
    translator = make(backend, models_folder, monkeypatch)
    pairs = normal_pairs(memorized_pairs)
    rng = random.Random(3)
    chosen = []
    while sum(len(zh) for zh, _ in chosen) < 3000:
        chosen.append(rng.choice(pairs))
    paragraph = "".join(zh for zh, _ in chosen)
    assert len(paragraph) >= 3000
    (result,) = translator.translate_detailed([paragraph])
    assert result.text == " ".join(en for _, en in chosen)
    assert not result.suspect


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_1000_character_sentence_without_punctuation_comes_back_whole(backend, models_folder, monkeypatch,
                                                                        seed_transcript):
    translator = make(backend, models_folder, monkeypatch)
    text = "".join(ch for t in seed_transcript.turns for s in t.sentences for ch in prepare_source(s.text)
                   if ch.isalnum())[:1000]
    assert len(text) == 1000
    pieces = split_to_fit(text, translator.count_tokens, translator.limit - 2)  # what the engine sends
    assert "".join(pieces) == text and len(pieces) > 5  # no character lost
    assert all(translator.count_tokens(p) <= translator.limit for p in pieces)
    english = {}
    generate = translator._generate_batches  # every backend's batches pass here (CTranslate2 runs them at once)

    def spy(jobs, **options):
        outputs = generate(jobs, **options)
        for (texts, _, _), batch in zip(jobs, outputs):
            english.update(zip(texts, batch))
        return outputs

    monkeypatch.setattr(translator, "_generate_batches", spy)
    (result,) = translator.translate_detailed([text])
    assert set(pieces) <= set(english)  # every piece went to the model
    if not any(english[p].cut for p in pieces):  # then no retry: the result is exactly the pieces' English
        assert result.text == " ".join(english[p].text.strip() for p in pieces if english[p].text.strip())
        assert result.reason != CUT_OFF
    assert result.text and result.reason != CUT_OFF


@pytest.mark.parametrize("backend", BACKENDS)
def test_output_forced_to_the_token_cap_is_flagged_cut_off(backend, models_folder, monkeypatch):
    translator = make(backend, models_folder, monkeypatch, max_length=4)
    (result,) = translator.translate_detailed(["我们已建成超过100万座基站。"])
    assert result.suspect and result.reason == CUT_OFF
    assert translator.model_calls > 1  # retried in smaller pieces before giving up
    (short,) = translator.translate_detailed(["谢谢你的提问。"])  # "Thank you for your question." is 6 tokens
    assert short.reason == CUT_OFF


@pytest.mark.parametrize("backend", BACKENDS)
def test_normal_output_is_not_flagged(backend, models_folder, monkeypatch, memorized_pairs):
    translator = make(backend, models_folder, monkeypatch)
    pairs = normal_pairs(memorized_pairs)
    results = translator.translate_detailed([zh for zh, _ in pairs])
    assert [r.text for r in results] == [en for _, en in pairs]
    assert not any(r.suspect for r in results)
