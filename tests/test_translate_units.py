"""The translation layer's parts that need no model."""

import pytest

from qabrief import QabriefError
from qabrief.translate import MODELS, CachedTranslator, IdentityTranslator, TranslationCache, resolve_model
from qabrief.translate.base import Translation, Translator
from qabrief.translate.batching import token_batches
from qabrief.translate.device import choose_device
from qabrief.translate.guard import degeneracy
from qabrief.translate.prepare import prepare_source, split_to_fit


@pytest.mark.parametrize("source, prepared", [
    ("謝謝你的提問。", "谢谢你的提问。"),
    ("年內,這些規劃將出臺?", "年内，这些规划将出台？"),
    ("ＧＤＰ增長５％", "GDP增长5%"),
    ("提高2.2倍,成本下降85%左右", "提高2.2倍，成本下降85%左右"),
    ("5G+4K/8K高清視頻", "5G+4K/8K高清视频"),
    ("來源:www.gkyy120.net", "来源：www.gkyy120.net"),
    ("", ""), ("   ", ""),
])
def test_prepare_source(source, prepared):
    assert prepare_source(source) == prepared


def count_chars(text):
    return len(text)


@pytest.mark.parametrize("limit", [5, 8, 12, 40])
def test_split_to_fit_never_loses_text(limit):
    text = "一是加强规划引领，抓好两个工程；开展两类示范：一类是产业基地、还有一类是试点项目的示范。"
    pieces = split_to_fit(text, count_chars, limit)
    assert "".join(pieces) == text
    assert all(len(p) <= limit for p in pieces)


def test_split_prefers_clause_breaks():
    text = "甲乙丙丁，戊己庚辛，壬癸子丑。"
    assert split_to_fit(text, count_chars, 10) == ["甲乙丙丁，戊己庚辛，", "壬癸子丑。"]


@pytest.mark.parametrize("lengths, budget", [([5, 50, 7, 3, 49, 20], 100), ([1] * 200, 64), ([300, 2], 100), ([], 10)])
def test_token_batches_cover_everything_within_budget(lengths, budget):
    batches = token_batches(lengths, budget)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for b in batches:
        assert len(b) == 1 or max(lengths[i] for i in b) * len(b) <= budget


@pytest.mark.parametrize("source, output, reason", [
    ("我们已建成超过100万座基站。", "We have built more than 1 million base stations.", None),
    ("我们已建成超过100万座基站。", "", "empty"),
    ("我们已建成超过100万座基站。", "the the the the the base stations", "repetition"),
    ("年内这些规划将陆陆续续地出台。", "one by one one by one one by one", "repetition"),
    ("请问工信部在这方面有哪些推进举措？", "What measures willllllllllll the ministry take", "repetition"),
    ("请问工信部在这方面有哪些推进举措？", "What measures will the ministry take at www.miit.gov.cn?", None),
    ("工业和信息化部部长肖亚庆先生为大家介绍推进制造强国网络强国建设有关情况并回答大家感兴趣的问题。", "Minister.", "too short"),
    ("谢谢。", " ".join(f"w{i}" for i in range(40)), "too long"),
    ("", "", None),
])
def test_degeneracy(source, output, reason):
    assert degeneracy(source, output) == reason


def test_registry_presets_and_errors(monkeypatch, tmp_path):
    assert {"opus-mt-zh-en", "opus-mt-tc-bible-big-zhx-en", "m2m100_418M", "nllb-200-distilled-600M"} <= set(MODELS)
    assert MODELS["nllb-200-distilled-600M"].src_lang == "zho_Hans"
    assert MODELS["m2m100_418M"].tgt_lang == "en"
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path))
    monkeypatch.setenv("QABRIEF_MODEL", "m2m100_418M")
    r = resolve_model()
    assert r.spec.name == "m2m100_418M" and r.local_path is None and r.hub_id == "facebook/m2m100_418M"
    (tmp_path / "opus-mt-zh-en").mkdir()
    (tmp_path / "opus-mt-zh-en" / "config.json").write_text("{}")
    assert resolve_model("opus-mt-zh-en").local_path == tmp_path / "opus-mt-zh-en"
    assert resolve_model("Helsinki-NLP/opus-mt-zh-en").local_path == tmp_path / "opus-mt-zh-en"
    with pytest.raises(QabriefError, match="presets: opus-mt-zh-en, "):
        resolve_model("opus-mt-xx")
    (tmp_path / "empty").mkdir()
    with pytest.raises(QabriefError, match="holds no model"):
        resolve_model(str(tmp_path / "empty"))


def test_device_choice_on_cpu():
    import torch

    from qabrief.translate.device import cpu_has_bf16

    choice = choose_device("cpu")
    assert choice.device == "cpu" and choice.threads >= 1
    assert choice.dtype == ("bfloat16" if cpu_has_bf16() else "float32")
    assert choose_device("cpu", dtype="float32").dtype == "float32"
    assert torch.get_num_threads() == choice.threads
    with pytest.raises(QabriefError, match="unknown device"):
        choose_device("tpu")


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="a GPU is present")
def test_forcing_cuda_without_gpu_is_a_clear_error():
    with pytest.raises(QabriefError, match="no CUDA GPU"):
        choose_device("cuda")
    assert choose_device("auto").device == "cpu"


class CountingIdentity(Translator):
    """Identity translation that counts how many sentences reached it."""

    cache_key = "counting-identity"

    def __init__(self):
        self.seen = []

    def translate_detailed(self, sentences):
        self.seen.extend(sentences)
        return [Translation(s, s.upper()) for s in sentences]


def test_cached_translator_serves_second_run_from_cache(tmp_path):
    inner = CountingIdentity()
    cached = CachedTranslator(inner, TranslationCache(tmp_path / "c.sqlite3"))
    first = cached.translate(["abc", "", "def", "abc"])
    assert first == ["ABC", "", "DEF", "ABC"]
    assert inner.seen == ["abc", "def"]  # duplicates and empty strings never reach the model
    again = cached.translate_detailed(["def", "abc"])
    assert [t.text for t in again] == ["DEF", "ABC"] and all(t.cached for t in again)
    assert inner.seen == ["abc", "def"]


def test_the_cache_keys_on_the_sentence_its_context_and_its_terms(tmp_path):
    """The same sentence after other context, or with other terms, may get other English: each is its own entry,
    and the caller gets its sentence back as the source, never a packed key."""
    from qabrief.translate import Request

    class Echo(IdentityTranslator):
        def __init__(self):
            self.asked = []

        def translate_detailed(self, sentences):
            self.asked += sentences
            return [Translation(r.sentence, f"{r.sentence}|{r.context}|{r.terms}") if isinstance(r, Request)
                    else Translation(r, r) for r in sentences]

    inner = Echo()
    cached = CachedTranslator(inner, TranslationCache(tmp_path / "c.sqlite3"))
    requests = ["他说。", Request("他说。", "肖部长："), Request("他说。", "王部长："),
                Request("他说。", "肖部长：", (("一带一路", "Belt and Road"),))]
    first = cached.translate_detailed(requests)
    assert len(inner.asked) == 4 and inner.asked[0] == "他说。"  # a bare sentence reaches the model as a string
    assert len({t.text for t in first}) == 4 and all(t.source == "他说。" for t in first)
    again = cached.translate_detailed(list(reversed(requests)))
    assert [t.text for t in again] == [t.text for t in reversed(first)] and all(t.cached for t in again)
    assert len(inner.asked) == 4 and all(t.source == "他说。" for t in again)


def test_identity_translator():
    assert IdentityTranslator().translate(["一", ""]) == ["一", ""]


WRITER = """
import sys
from qabrief.translate.base import Translation
from qabrief.translate.cache import TranslationCache
cache = TranslationCache(sys.argv[1])
tag = sys.argv[2]
for i in range(0, 400, 8):
    cache.put_many("k", [Translation(f"{tag}-{j}", f"en {tag} {j}") for j in range(i, i + 8)])
"""


def test_two_processes_writing_the_cache_lose_nothing(tmp_path):
    import subprocess
    import sys

    db = tmp_path / "shared.sqlite3"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag]) for tag in ("a", "b")]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    cache = TranslationCache(db)
    assert cache.count("k") == 800
    got = cache.get_many("k", ["a-399", "b-0"])
    assert got["a-399"].text == "en a 399" and got["b-0"].text == "en b 0"


def test_threads_share_one_cache(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    cache = TranslationCache(tmp_path / "t.sqlite3")
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda n: cache.put_many("k", [Translation(f"s{n}-{i}", "x") for i in range(50)]), range(8)))
    assert cache.count("k") == 400


def test_bf16_where_the_cpu_computes_it(monkeypatch):
    import qabrief.translate.device as device

    for flags, dtype in (({"avx2", "avx512f"}, "float32"), ({"avx512_bf16"}, "bfloat16"), ({"amx_bf16"}, "bfloat16")):
        monkeypatch.setattr(device, "cpu_flags", lambda flags=flags: flags)
        choice = choose_device("cpu")
        assert choice.dtype == dtype
    assert choice.description.startswith("bf16 on cpu")
    assert choose_device("cpu", dtype="float32").dtype == "float32"  # --precision fp32 still forces it
