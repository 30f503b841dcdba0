"""Language models of the LLM generation (issue 24): a causal-LM family that keeps the brief
sentence by sentence, with the prompt each preset's card documents, context that is never
translated, and guards for what LLMs do wrong. Run on a tiny Qwen2 taught a few answers."""

import threading
from pathlib import Path

import pytest

from qabrief import QabriefError
from qabrief.brief import make_brief
from qabrief.model_pool import TranslatorPool
from qabrief.render import render_html, render_json
from qabrief.translate import MODELS, load_translator
from qabrief.translate.base import Request, Translation, Translator, as_request
from qabrief.translate.prompts import PROMPTS
from test_llamacpp import taught_rows, tiny_hy_mt2  # noqa: F401 (the tiny Hy-MT2's fixture, shared)

CAUSAL_PAIRS_TSV = Path(__file__).parent / "data" / "causal_pairs.tsv"


def taught():
    rows = []
    for line in CAUSAL_PAIRS_TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            context, zh, answer, variant, *terms = line.split("\t")
            rows.append((context, zh, answer, variant + "".join(terms)))
    return rows


@pytest.mark.slow
def test_memorised_english_comes_back_one_sentence_each_in_order(causal_models):
    translator = load_translator("qwen2.5-7b-instruct", device="cpu", cache=False)
    assert translator.model_family == "causal-lm" and translator.licence == "Apache-2.0"
    good = [(c, zh, en) for c, zh, en, variant in taught() if not variant and en.isascii() and not en.startswith("Here")]
    asked = [Request(zh, c) for c, zh, _ in good]  # a batch of mixed lengths, two with the same sentence
    assert len({len(zh) for _, zh, _ in good}) >= 4
    results = translator.translate_detailed(asked)
    assert [r.text for r in results] == [en for _, _, en in good]
    assert not any(r.suspect for r in results) and [r.source for r in results] == [a.sentence for a in asked]
    # the context changed the English: the same sentence, with and without the sentence before it
    assert "Minister Xiao said that manufacturing is the foundation." in [r.text for r in results]
    assert "He said that manufacturing is the foundation." in [r.text for r in results]


@pytest.mark.slow
def test_a_preamble_is_cleaned_and_an_answer_in_chinese_is_flagged(causal_models):
    translator = load_translator("qwen2.5-7b-instruct", device="cpu", cache=False)
    preamble, chinese = translator.translate_detailed(["这是第一步。", "我们欢迎各国企业。"])
    assert (preamble.text, preamble.suspect) == ("This is the first step.", False)  # taught "Here is the translation: …"
    assert chinese.suspect and chinese.reason == "not English"  # after its retry answered in Chinese too


def _tiny_causal_script():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_tiny_causal_lm.py"
    spec = importlib.util.spec_from_file_location("make_tiny_causal_lm", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hunyuan_tokenizer():
    """A tokenizer with Hunyuan-MT-7B's chat template and special tokens (its eos <|endoftext|>)."""
    return _tiny_causal_script().build_tokenizer(["谢谢。上文。Thank you."], chat="hunyuan")


def test_the_exact_prompt_each_preset_builds(tiny_causal_dir):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_causal_dir)  # a Qwen-style (ChatML) chat template
    assert {s.prompt for s in MODELS.values() if s.architecture == "causal-lm"} <= set(PROMPTS)
    built = {name: style.build(tokenizer, "谢谢。") for name, style in PROMPTS.items()
             if name not in ("hunyuan-mt", "hy-mt2")}  # those two: through their own templates, below
    assert built == {
        "seed-x": "Translate the following Chinese sentence into English:\n谢谢。 <en>",
        "qwen-instruct": "<|im_start|>user\nTranslate the following Chinese text into English. Output only the "
                         "translation.\n\n谢谢。<|im_end|>\n<|im_start|>assistant\n",
    }
    assert PROMPTS["seed-x"].build(tokenizer, "谢谢。", "上文。") == (
        "Context (do not translate): 上文。\nTranslate the following Chinese sentence into English:\n谢谢。 <en>")
    # Hunyuan-MT's card builds its prompt without the generation prompt: none even where a template has one
    assert not PROMPTS["hunyuan-mt"].build(tokenizer, "谢谢。").endswith("<|im_start|>assistant\n")


def test_hunyuan_mt_prompt_goes_through_its_own_chat_template_and_stops_at_its_end_of_turn():
    from types import SimpleNamespace

    from qabrief.translate.causal import _stop_ids

    tokenizer = hunyuan_tokenizer()
    style = PROMPTS["hunyuan-mt"]
    assert style.build(tokenizer, "谢谢。") == "<|startoftext|>把下面的文本翻译成英语，不要额外解释。\n\n谢谢。<|extra_0|>"
    assert style.build(tokenizer, "谢谢。", "上文。") == (
        "<|startoftext|>上文（仅供参考，不要翻译）：上文。\n\n把下面的文本翻译成英语，不要额外解释。\n\n谢谢。<|extra_0|>")
    assert style.build(tokenizer, "谢谢。", retry=True) == (
        "<|startoftext|>把下面的文本翻译成英语，不要额外解释。\n\n谢谢。\n（只输出英文译文。）<|extra_0|>")
    # the template ends an answer with <|eos|>; the tokenizer's own eos is <|endoftext|>: both stop the answer
    model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=tokenizer.eos_token_id))
    assert _stop_ids(model, tokenizer, style) == {tokenizer.convert_tokens_to_ids("<|eos|>"),
                                                 tokenizer.convert_tokens_to_ids("<|endoftext|>")}


@pytest.fixture(scope="module")
def tiny_hunyuan_dir(tmp_path_factory, tiny_build) -> Path:
    """A tiny causal LM with Hunyuan-MT-7B's chat template that memorised a few answers to the hunyuan-mt prompt,
    each followed by <|eos|>, the end of turn its template writes (the tokenizer's eos is another token)."""
    rows = [line for line in CAUSAL_PAIRS_TSV.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    chosen = rows[:2] + [r for r in rows if r.split("\t")[1].startswith("他说")]  # two plain, the context pair
    pairs = tmp_path_factory.mktemp("hunyuan-pairs") / "pairs.tsv"
    pairs.write_text("".join(r + "\n" for r in chosen), encoding="utf-8")
    return tiny_build("tiny-hunyuan", "make_tiny_causal_lm", {"--memorize": pairs, "--prompt": "hunyuan-mt",
                                                               "--chat": "hunyuan"}, leaf="model")


@pytest.mark.slow
def test_the_hunyuan_preset_answers_through_its_template_and_stops_at_its_end_of_turn(tiny_hunyuan_dir, tmp_path,
                                                                                       monkeypatch):
    import shutil

    shutil.copytree(tiny_hunyuan_dir, tmp_path / "models" / "hunyuan-mt-7b")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    translator = load_translator("hunyuan-mt-7b", device="cpu", cache=False)
    tokenizer = translator.tokenizer
    assert translator._prompt(Request("谢谢。", "上文。")) == (
        "<|startoftext|>上文（仅供参考，不要翻译）：上文。\n\n把下面的文本翻译成英语，不要额外解释。\n\n谢谢。<|extra_0|>")
    assert tokenizer.eos_token == "<|endoftext|>" and translator.stop_ids == {
        tokenizer.convert_tokens_to_ids("<|eos|>"), tokenizer.convert_tokens_to_ids("<|endoftext|>")}
    good = [(c, zh, en) for c, zh, en, variant in taught() if not variant and zh.startswith(("谢谢你", "我们已", "他说"))]
    assert len(good) == 4
    results = translator.translate_detailed([Request(zh, c) for c, zh, _ in good])
    assert [r.text for r in results] == [en for _, _, en in good] and not any(r.suspect for r in results)


def test_on_a_cpu_the_presets_are_refused_before_anything_loads(causal_models, monkeypatch):
    monkeypatch.setattr("qabrief.translate.loading.torch_sees_a_gpu", lambda: False)
    loaded = []
    monkeypatch.setattr("qabrief.translate.causal.CausalLMTranslator.__init__",
                        lambda *a, **k: loaded.append(a))
    for name in ("hunyuan-mt-7b", "seed-x-ppo-7b", "qwen2.5-7b-instruct"):
        with pytest.raises(QabriefError, match="is a language model .* that needs a CUDA GPU, and this machine has "
                                               "none; .*force it with --device cpu"):
            load_translator(name)
    assert loaded == []
    with pytest.raises(QabriefError, match="runs with --backend transformers"):
        load_translator("qwen2.5-7b-instruct", device="cpu", backend="ct2")


@pytest.mark.slow
def test_the_brief_names_the_family_and_the_page_shows_the_licence(causal_models):
    brief = make_brief("记者：请问如何评价？\n肖亚庆：这是第一步。", load_translator("hunyuan-mt-7b", device="cpu", cache=False),
                       full_text=True)
    assert brief.model_family == "causal-lm" and brief.model_licence.startswith(
        "Tencent Hunyuan Community (not licensed in the EU, the UK or South Korea")
    assert '"model_family": "causal-lm"' in render_json(brief)
    assert "model licence: Tencent Hunyuan Community (not licensed in the EU, the UK or South Korea" in render_html(brief)


class Spy(Translator):
    """Records what the brief sends a translator that reads context."""

    cache_key = description = "spy"
    wants_context = True

    def __init__(self):
        self.seen = []

    def translate_detailed(self, sentences):
        self.seen += [as_request(s) for s in sentences]
        return [Translation(as_request(s).sentence, "EN") for s in sentences]


def test_each_sentence_goes_with_the_sentences_before_it_in_its_turn_never_translated():
    spy = Spy()
    brief = make_brief("记者：第一问。第二问？\n王文：第一答。第二答。第三答。", spy, full_text=True)
    sent = [(r.context, r.sentence) for r in spy.seen if r.sentence.startswith("第")]
    assert ("", "第一问。") in sent and ("第一问。", "第二问？") in sent
    assert ("第一答。第二答。", "第三答。") in sent and ("", "第一答。") in sent
    answers = brief.segments[0].answers[0].sentences
    assert [s.zh for s in answers] == ["第一答。", "第二答。", "第三答。"] and all(s.en == "EN" for s in answers)


class Busy(Translator):
    model_family = "causal-lm"

    def __init__(self, name):
        self.description = self.cache_key = name
        self.release = threading.Event()
        self.started = threading.Event()

    def translate_detailed(self, sentences):
        self.started.set()
        self.release.wait(10)
        return [Translation(s, "EN") for s in sentences]


def test_a_second_language_model_never_evicts_the_first_mid_request(monkeypatch):
    monkeypatch.setenv("QABRIEF_BATCH_REQUESTS", "off")
    made = {}
    pool = TranslatorPool(loader=lambda model, **k: made.setdefault(model, Busy(model)), max_models=4)

    def brief():  # a brief holds its lease while it translates
        with pool.lease("qwen2.5-7b-instruct") as (first, _):
            first.translate(["一句。"])

    worker = threading.Thread(target=brief)
    worker.start()
    while "qwen2.5-7b-instruct" not in made:  # the load, then the call, in the brief's thread
        threading.Event().wait(0.01)
    made["qwen2.5-7b-instruct"].started.wait(10)
    second, notice = pool.get("hunyuan-mt-7b")
    assert second is None and "translating with qwen2.5-7b-instruct" in notice
    assert [k[0] for k in pool.loaded()] == ["qwen2.5-7b-instruct"]
    made["qwen2.5-7b-instruct"].release.set()
    worker.join(10)
    second, notice = pool.get("hunyuan-mt-7b")  # idle now: it makes room
    assert second is not None and notice is None
    assert [k[0] for k in pool.loaded()] == ["hunyuan-mt-7b"]


@pytest.mark.slow
def test_glossary_enforcement_tells_a_language_model_the_official_renderings(causal_models):
    """Not placeholders: the terms of the sentence go into its prompt, and the check still applies."""
    translator = load_translator("qwen2.5-7b-instruct", device="cpu", cache=False)
    brief = make_brief("记者：请问？\n王文：我们将继续推进一带一路建设。", translator, full_text=True, enforce_glossary=True)
    answer = brief.segments[0].answers[0].sentences[0]
    assert answer.en == "We will continue to advance the Belt and Road."  # taught only with the term in its prompt
    assert answer.terms == [{"zh": "一带一路", "en": "Belt and Road", "found": True}] and not answer.problems
    assert PROMPTS["hunyuan-mt"].build(hunyuan_tokenizer(), "一带一路。", terms=[("一带一路", "Belt and Road")]) == (
        "<|startoftext|>参考下面的翻译：\n一带一路 翻译成 Belt and Road\n\n把下面的文本翻译成英语，不要额外解释。\n\n一带一路。"
        "<|extra_0|>")


def test_the_app_banner_shows_the_licence_and_why_english_is_off(causal_models, monkeypatch):
    from qabrief.app import startup_notice

    monkeypatch.setattr("qabrief.translate.loading.torch_sees_a_gpu", lambda: False)
    banner = startup_notice("hunyuan-mt-7b")
    assert "**English is off for hunyuan-mt-7b:** it is a language model that needs a CUDA GPU" in banner
    assert "**Licence of hunyuan-mt-7b:** Tencent Hunyuan Community: not licensed in the EU, the UK or South Korea" \
        in banner
    assert startup_notice("qwen2.5-7b-instruct").count("**") == 2  # Apache-2.0: nothing to warn of but the GPU


# -- Hy-MT2 (issue 35): the family's own prompt, byte for byte, through each size's chat template

HY_MT2_INSTRUCTION = "将以下文本翻译为英语，注意只需要输出翻译后的结果，不要额外解释：\n\n"


def _hy_mt2_script():
    import importlib.util

    path = Path(__file__).resolve().parent.parent / "scripts" / "make_tiny_hy_mt2.py"
    spec = importlib.util.spec_from_file_location("make_tiny_hy_mt2", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_hy_mt2_prompt_through_the_18bs_template_and_the_7bs():
    from types import SimpleNamespace

    from qabrief.translate.causal import _stop_ids

    assert {MODELS[n].prompt for n in ("hy-mt2-7b", "hy-mt2-1.8b", "hy-mt2-1.8b-gguf")} == {"hy-mt2"}
    style = PROMPTS["hy-mt2"]
    small = _hy_mt2_script().build_tokenizer(["谢谢。上文。一带一路。Thank you."])  # the 1.8B's special tokens
    assert style.build(small, "谢谢。") == (
        f"<｜hy_begin▁of▁sentence｜><｜hy_User｜>{HY_MT2_INSTRUCTION}谢谢。<｜hy_Assistant｜>")
    assert style.build(small, "谢谢。", "上文。") == (
        "<｜hy_begin▁of▁sentence｜><｜hy_User｜>【背景信息】\n上文。\n\n请结合背景信息将以下文本翻译为英语。\n\n【待翻译文本】\n谢谢。"
        "<｜hy_Assistant｜>")
    assert style.build(small, "一带一路。", terms=[("一带一路", "Belt and Road"), ("两会", "two sessions")]) == (
        "<｜hy_begin▁of▁sentence｜><｜hy_User｜>参考下面的翻译：\n一带一路 翻译成 Belt and Road\n两会 翻译成 two sessions\n"
        f"{HY_MT2_INSTRUCTION}一带一路。<｜hy_Assistant｜>")
    # the 7B's template is Hunyuan-MT-7B's (<|startoftext|>…<|extra_0|>, answers end <|eos|>)
    big = hunyuan_tokenizer()
    assert style.build(big, "谢谢。") == f"<|startoftext|>{HY_MT2_INSTRUCTION}谢谢。<|extra_0|>"
    # the end of turn of each: the 1.8B's is its tokenizer's eos; the 7B's <|eos|> beside its eos
    model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=small.eos_token_id))
    assert _stop_ids(model, small, style) == {small.convert_tokens_to_ids("<｜hy_place▁holder▁no▁2｜>")}
    model = SimpleNamespace(generation_config=SimpleNamespace(eos_token_id=big.eos_token_id))
    assert _stop_ids(model, big, style) == {big.convert_tokens_to_ids("<|eos|>"), big.eos_token_id}


@pytest.mark.slow
def test_the_hy_mt2_gpu_preset_runs_its_hunyuan_dense_model_through_transformers(tiny_hy_mt2, tmp_path,  # noqa: F811
                                                                                   monkeypatch):
    """The GPU preset's code path on the CPU: a tiny HunYuanDenseV1ForCausalLM with the 1.8B's template."""
    import shutil

    shutil.copytree(tiny_hy_mt2 / "transformers", tmp_path / "models" / "hy-mt2-1.8b")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    translator = load_translator("hy-mt2-1.8b", device="cpu", cache=False)
    assert translator.model.config.model_type == "hunyuan_v1_dense" and translator.licence == "Apache-2.0"
    assert translator._prompt(Request("谢谢。", "上文。")).startswith("<｜hy_begin▁of▁sentence｜><｜hy_User｜>【背景信息】")
    rows = taught_rows()
    results = translator.translate_detailed([Request(zh, context, terms) for context, zh, _, terms in rows])
    assert [r.text for r in results] == [answer for _, _, answer, _ in rows] and not any(r.suspect for r in results)


def test_hy_mt2_presets_are_gpu_language_models_and_ask_for_the_transformers_their_card_names(monkeypatch):
    import transformers

    monkeypatch.setattr("qabrief.translate.loading.torch_sees_a_gpu", lambda: False)
    with pytest.raises(QabriefError, match="hy-mt2-7b is a language model .* that needs a CUDA GPU"):
        load_translator("hy-mt2-7b")
    monkeypatch.setattr(transformers, "__version__", "5.5.0")
    with pytest.raises(QabriefError, match=r"hy-mt2-1.8b needs transformers >= 5.6 \(its card\), this is 5.5.0"):
        load_translator("hy-mt2-1.8b", device="cpu", cache=False)
