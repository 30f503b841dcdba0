"""Hy-MT2-1.8B in GGUF form on a CPU (issue 35): the `hy-mt2-1.8b-gguf` preset through the loading
policy's one route for it, llama.cpp (llama-cpp-python, the `gguf` extra), with the family's prompt
built through the chat template the GGUF file carries, several sentences decoded at once and the
shared prompt prefix decoded once. Run on a tiny hunyuan-dense model taught a few answers and written
as GGUF with the `gguf` package (scripts/make_tiny_hy_mt2.py); where llama_cpp cannot be imported the
tests that run a model skip, and the refusal of the preset is tested instead."""

import importlib.util
import shutil
import sys
from importlib import metadata
from pathlib import Path

import pytest

from qabrief import QabriefError
from qabrief.brief import make_brief
from qabrief.cli import main
from qabrief.translate import MODELS, load_translator
from qabrief.translate.base import Request
from qabrief.translate.llamacpp import CPU_CONTEXT_CHARS

ROOT = Path(__file__).resolve().parent.parent
CAUSAL_PAIRS_TSV = Path(__file__).parent / "data" / "causal_pairs.tsv"
HAVE_LLAMA_CPP = importlib.util.find_spec("llama_cpp") is not None
HAVE_GGUF = importlib.util.find_spec("gguf") is not None
needs_llama_cpp = pytest.mark.skipif(not HAVE_LLAMA_CPP, reason="llama_cpp is not importable: "
                                     "pip install -e \".[gguf]\" (builds llama.cpp from source)")
OPENING = "<｜hy_begin▁of▁sentence｜><｜hy_User｜>"
INSTRUCTION = "将以下文本翻译为英语，注意只需要输出翻译后的结果，不要额外解释：\n\n"
# the rows of causal_pairs.tsv the tiny Hy-MT2 learns: plain sentences (one with a number), the same
# sentence with and without the sentence before it, and one told a glossary term
TAUGHT = ("谢谢你的提问。", "我们已建成超过100万座基站。", "新能源汽车产销量连续多年位居全球第一。", "他说，制造业是根本。",
          "我们将继续推进一带一路建设。")


def taught_rows() -> list[tuple[str, str, str, tuple]]:
    rows = []
    for line in CAUSAL_PAIRS_TSV.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            context, zh, answer, variant, *terms = line.split("\t")
            if zh in TAUGHT and not variant:
                told = tuple(tuple(t.split("=", 1)) for t in terms[0].split("|")) if terms else ()
                rows.append((context, zh, answer, told))
    return rows


def _versions() -> str:
    found = []
    for name in ("gguf", "llama_cpp_python"):
        try:
            found.append(f"{name}={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name}=absent")
    return ",".join(found)


@pytest.fixture(scope="session")
def tiny_hy_mt2(tmp_path_factory, tiny_build) -> Path:
    """The tiny model's two forms: OUT/transformers (hunyuan_v1_dense) and OUT/gguf/tiny-hy-mt2.gguf
    (the GGUF only where the gguf package is installed). About 30 s to build on 2 cores, once."""
    pairs = tmp_path_factory.mktemp("hy-mt2-pairs") / "pairs.tsv"
    rows = [line for line in CAUSAL_PAIRS_TSV.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#") and line.split("\t")[1] in TAUGHT
            and not line.split("\t")[3]]
    pairs.write_text("".join(r + "\n" for r in rows), encoding="utf-8")
    arguments = {"--memorize": pairs, "--libraries": _versions()}
    if not HAVE_GGUF:
        arguments["--no-gguf"] = None
    return tiny_build("tiny-hy-mt2", "make_tiny_hy_mt2", arguments, leaf="built")


@pytest.fixture
def gguf_preset(tiny_hy_mt2, tmp_path, monkeypatch) -> Path:
    """The tiny GGUF 'downloaded' as the hy-mt2-1.8b-gguf preset: its file under the preset's file name."""
    if not (tiny_hy_mt2 / "gguf" / "tiny-hy-mt2.gguf").is_file():
        pytest.skip("the gguf package is not installed: no GGUF was written")
    folder = tmp_path / "models" / "hy-mt2-1.8b-gguf"
    folder.mkdir(parents=True)
    shutil.copy(tiny_hy_mt2 / "gguf" / "tiny-hy-mt2.gguf", folder / MODELS["hy-mt2-1.8b-gguf"].file)
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    return folder


@needs_llama_cpp
@pytest.mark.slow
def test_the_gguf_preset_gives_back_the_taught_english_through_llama_cpp(gguf_preset):
    translator = load_translator("hy-mt2-1.8b-gguf", cache=False)
    inner = translator
    assert inner.backend == "llama.cpp" and inner.device == "cpu" and inner.model_family == "gguf"
    assert inner.licence == "Apache-2.0" and "llama.cpp" in inner.description and "greedy" in inner.description
    rows = taught_rows()
    assert len(rows) == 6  # 他说 twice: with the sentence before it, and without
    asked = [Request(zh, context, terms) for context, zh, _, terms in rows]
    results = inner.translate_detailed(asked)
    assert [r.text for r in results] == [answer for _, _, answer, _ in rows]
    assert not any(r.suspect for r in results)
    # the context changed the English, and the term reached the prompt
    assert "Minister Xiao said that manufacturing is the foundation." in [r.text for r in results]
    assert "We will continue to advance the Belt and Road." in [r.text for r in results]


@needs_llama_cpp
@pytest.mark.slow
def test_the_prompt_comes_from_the_ggufs_own_template_and_the_answer_stops_at_its_end_of_turn(gguf_preset):
    translator = load_translator("hy-mt2-1.8b-gguf", cache=False)
    assert translator._prompt(Request("谢谢。")) == f"{OPENING}{INSTRUCTION}谢谢。<｜hy_Assistant｜>"
    assert translator._prompt(Request("谢谢。", "上文。")) == (
        f"{OPENING}【背景信息】\n上文。\n\n请结合背景信息将以下文本翻译为英语。\n\n【待翻译文本】\n谢谢。<｜hy_Assistant｜>")
    # on a CPU a prompt carries the context's last CPU_CONTEXT_CHARS characters (prompt tokens cost seconds)
    long_context = "前" * 10 + "中" * (CPU_CONTEXT_CHARS - 3) + "上文。"
    assert f"|context={CPU_CONTEXT_CHARS}|" in translator.cache_key  # English made with more context is not reused
    assert translator._prompt(Request("谢谢。", long_context)) == (
        f"{OPENING}【背景信息】\n{long_context[10:]}\n\n请结合背景信息将以下文本翻译为英语。\n\n【待翻译文本】\n谢谢。<｜hy_Assistant｜>")
    assert translator._prompt(Request("一带一路。", "", (("一带一路", "Belt and Road"),))) == (
        f"{OPENING}参考下面的翻译：\n一带一路 翻译成 Belt and Road\n{INSTRUCTION}一带一路。<｜hy_Assistant｜>")
    # the GGUF's eos (the template's end of turn) is the one token that stops an answer
    assert translator.stop_ids == set(translator._tokenize("<｜hy_place▁holder▁no▁2｜>"))


@needs_llama_cpp
@pytest.mark.slow
def test_more_sentences_than_slots_decode_as_one_alone_and_share_their_prompt_prefix(gguf_preset):
    """Two slots for five sentences: slots refill as sentences end, and each English is what the
    sentence gets decoded alone; the opening all prompts share is decoded once, into sequence 0."""
    rows = [r for r in taught_rows() if not r[0] and not r[3]]
    assert len(rows) == 4
    asked = [zh for _, zh, _, _ in rows] * 2  # eight sentences, duplicates translated once by the engine
    two = load_translator("hy-mt2-1.8b-gguf", cache=False, parallel=2)
    assert "2 sentences at once" in two.description
    together = [r.text for r in two.translate_detailed([f"{zh}" for zh in asked])]
    alone = load_translator("hy-mt2-1.8b-gguf", cache=False, parallel=1)
    assert together == [alone.translate([zh])[0] for zh in asked] == [en for _, _, en, _ in rows] * 2
    assert two._detokenize_special(two.prefix) == OPENING + INSTRUCTION
    before = two.decode_calls
    two.translate_detailed([rows[0][1]])  # the prefix is kept: one batch for the prompt's own tokens, then steps
    answer_tokens = len(two._tokenize(rows[0][2]))
    assert two.decode_calls - before == answer_tokens + 1


@needs_llama_cpp
@pytest.mark.slow
def test_a_brief_through_the_gguf_preset_has_the_taught_english_and_its_number_check(gguf_preset):
    brief = make_brief("记者：谢谢你的提问。\n王文：我们已建成超过100万座基站。", load_translator("hy-mt2-1.8b-gguf", cache=False),
                       full_text=True)
    answer = brief.segments[0].answers[0].sentences[0]
    assert answer.en == "We have built more than 1 million base stations." and not answer.problems
    assert brief.model_family == "gguf" and brief.model_licence == "Apache-2.0"


def test_without_llama_cpp_the_gguf_preset_is_refused_in_one_line_and_the_others_still_load(
        monkeypatch, tmp_path, tiny_model_dir):
    monkeypatch.setitem(sys.modules, "llama_cpp", None)  # `import llama_cpp` raises ImportError
    folder = tmp_path / "models" / "hy-mt2-1.8b-gguf"
    folder.mkdir(parents=True)
    (folder / MODELS["hy-mt2-1.8b-gguf"].file).write_bytes(b"GGUF")
    with pytest.raises(QabriefError) as refused:
        load_translator("hy-mt2-1.8b-gguf", cache=False)
    assert str(refused.value) == 'hy-mt2-1.8b-gguf runs on llama.cpp, which is not installed: pip install -e ".[gguf]"'
    marian = load_translator(str(tiny_model_dir), backend="transformers", cache=False)
    assert marian.translate(["谢谢。"])  # everything else works


@pytest.mark.parametrize(("device", "backend", "message"), [
    ("cuda", "auto", "runs on the CPU (llama.cpp), not on cuda"),
    ("auto", "transformers", "is a GGUF model: it runs with --backend llama.cpp (or auto), not transformers"),
    ("auto", "ct2", "is a GGUF model: it runs with --backend llama.cpp (or auto), not ct2"),
])
def test_a_gguf_model_has_one_route_and_other_asks_are_refused(device, backend, message):
    from qabrief.translate.loading import first_route
    from qabrief.translate.registry import resolve_model

    with pytest.raises(QabriefError, match=message.replace("(", r"\(").replace(")", r"\)")):
        first_route(resolve_model("hy-mt2-1.8b-gguf"), device, backend)
    with pytest.raises(QabriefError, match="--backend llama.cpp runs GGUF models; opus-mt-zh-en is not one"):
        first_route(resolve_model("opus-mt-zh-en"), "auto", "llama.cpp")


def test_download_fetches_only_the_one_quantisation_file(tmp_path, monkeypatch):
    import huggingface_hub
    from huggingface_hub.utils import filter_repo_objects

    from qabrief.translate import download

    published = ["README.md", ".gitattributes", "Hy-MT2-1.8B-Q4_K_M.gguf", "Hy-MT2-1.8B-Q8_0.gguf",
                 "Hy-MT2-1.8B-Q6_K.gguf", "Hy-MT2-1.8B-f16.gguf", "imgs/logo.png"]
    fetched = []

    def snapshot_download(repo_id, local_dir, allow_patterns, ignore_patterns):
        assert repo_id == "tencent/Hy-MT2-1.8B-GGUF"
        for name in filter_repo_objects(published, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns):
            fetched.append(name)
            (Path(local_dir) / name).parent.mkdir(parents=True, exist_ok=True)
            (Path(local_dir) / name).write_bytes(b"GGUF")
        return str(local_dir)

    monkeypatch.setattr(download, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(huggingface_hub, "list_repo_files", lambda repo_id: published)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    assert main(["models", "download", "hy-mt2-1.8b-gguf"]) == 0
    assert fetched == ["Hy-MT2-1.8B-Q4_K_M.gguf"]
    assert sorted(p.name for p in (tmp_path / "models" / "hy-mt2-1.8b-gguf").iterdir()) == ["Hy-MT2-1.8B-Q4_K_M.gguf"]


def test_models_list_shows_the_family_apache_licence_and_the_gguf_forms_cpu_speed(capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name in ("hy-mt2-7b", "hy-mt2-1.8b", "hy-mt2-1.8b-gguf"):
        row = next(i for i, line in enumerate(lines) if line[2:].split(" ")[0] == name)
        assert "Apache-2.0" in lines[row] and "LICENCE" not in lines[row + 2]
    gguf_note = lines[next(i for i, line in enumerate(lines) if line[2:].startswith("hy-mt2-1.8b-gguf ")) + 1]
    assert "runs on a CPU with llama.cpp" in gguf_note and "sentences/s" in gguf_note and "2 shared cores" in gguf_note
    hunyuan = next(i for i, line in enumerate(lines) if line[2:].startswith("hunyuan-mt-7b "))
    assert "not licensed in the EU, the UK or South Korea" in lines[hunyuan + 2]
