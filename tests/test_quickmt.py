"""quickmt-zh-en, the default wherever CTranslate2 is installed (issue 22), tested on a tiny
model in its exact published layout, loaded through the preset path users take."""

import json
import logging
import sys

import pytest

from qabrief.brief import make_brief
from qabrief.cli import main
from qabrief.translate import default_model, load_translator
from qabrief.translate.guard import degeneracy

pytest.importorskip("ctranslate2", reason="quickmt-zh-en runs on CTranslate2 (qabrief[fast])")

LOOP = "年内这些规划将陆陆续续地出台。"
EMPTY = "产业链强链补链行动。"


def normal(pairs):
    return [(zh, en) for zh, en in pairs if en and zh != LOOP]


def test_the_published_layout_loads_through_the_preset_and_the_memorised_english_comes_back(
        quickmt_models, memorized_pairs):
    folder = quickmt_models / "quickmt-zh-en"
    assert sorted(p.name for p in folder.iterdir()) == [
        "README.md", "config.json", "eole_model", "model.bin", "source_vocabulary.json", "src.spm.model",
        "target_vocabulary.json", "tgt.spm.model"]
    source = json.loads((folder / "source_vocabulary.json").read_text())
    target = json.loads((folder / "target_vocabulary.json").read_text())
    assert len(source) != len(target) and source[:4] == target[:4] == ["<unk>", "<s>", "</s>", "<pad>"]
    assert default_model() == "quickmt-zh-en"  # CTranslate2 is installed here
    translator = load_translator("quickmt-zh-en", cache=False)  # the preset, through models/quickmt-zh-en
    assert translator.description.startswith("CTranslate2 int8 on cpu") and translator.backend == "ct2"
    pairs = normal(memorized_pairs)
    assert translator.translate([zh for zh, _ in pairs]) == [en for _, en in pairs]
    # CTranslate2 adds the source BOS the config asks for; the count the batcher uses includes it
    assert translator.count_tokens("谢谢。") == len(translator.tokens("谢谢。")) + 1


def test_guard_clauses_and_cut_off_work_on_it_as_on_marian(quickmt_models, memorized_pairs):
    translator = load_translator("quickmt-zh-en", cache=False)
    empty, loop = translator.translate_detailed([EMPTY, LOOP])
    assert empty.suspect and empty.reason == "empty"
    # the memorised loop (the model really loops on it) was caught and retried with a repetition
    # penalty: what comes back no longer loops, and it is judged on what came back
    assert degeneracy(LOOP, translator._generate([LOOP])[0].text) == "repetition"
    assert any(LOOP in piece for piece in translator.recent_retries)
    assert "one by one one by one one by one" not in loop.text
    assert (loop.suspect, loop.reason) == (degeneracy(LOOP, loop.text) is not None, degeneracy(LOOP, loop.text))
    short = load_translator("quickmt-zh-en", cache=False, max_length=6)
    (cut,) = short.translate_detailed(["累计建成5G基站达到103.7万个，"])
    assert cut.suspect and cut.reason == "cut off"  # detected at the cap, retried, halved, still at the cap
    # a paragraph over the model's input limit is split into its sentences and joined back, nothing lost
    pairs = [(zh, en) for zh, en in normal(memorized_pairs) if zh.endswith("。")] * 40
    paragraph = "".join(zh for zh, _ in pairs)
    assert translator.count_tokens(paragraph) > translator.limit
    (joined,) = translator.translate_detailed([paragraph])
    assert joined.text == " ".join(en for _, en in pairs) and not joined.suspect


def test_fidelity_checks_flag_its_lost_number(quickmt_models):
    brief = make_brief("记者：请问推广情况如何？\n王文涛：累计推广已经超过了700万辆。谢谢你的提问。",
                       load_translator("quickmt-zh-en", cache=False), full_text=True)
    (lost, thanks) = brief.segments[0].answers[0].sentences
    assert lost.en == "Cumulative promotion has exceeded 700 vehicles."
    assert any("700万" in problem for problem in lost.problems)
    assert thanks.en == "Thank you for your question." and not thanks.problems


def test_the_app_serves_it_by_default(quickmt_models, monkeypatch):
    import qabrief.app as app

    monkeypatch.setenv("QABRIEF_CACHE", "off")
    brief = app.api_brief("记者：请问如何？\n王文涛：我们已建成超过100万座基站。", 0, True)
    assert brief["translator"].startswith("CTranslate2 int8 on cpu")
    assert brief["segments"][0]["answers"][0]["sentences"][0]["en"] == "We have built more than 1 million base stations."


def test_without_ctranslate2_the_default_is_opus_mt_and_the_log_says_why_once(monkeypatch, caplog, isolated_hub):
    import qabrief.translate.registry as registry

    monkeypatch.setitem(sys.modules, "ctranslate2", None)  # as if not installed
    monkeypatch.setattr(registry, "_announced", set())
    with caplog.at_level(logging.INFO, logger="qabrief.translate"):
        assert default_model() == "opus-mt-zh-en"
        assert default_model() == "opus-mt-zh-en"
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("default model")]
    assert lines == ["default model: opus-mt-zh-en (CTranslate2 is not installed, and quickmt-zh-en runs only on "
                     "it (pip install 'qabrief[fast]'))"]
    monkeypatch.setenv("QABRIEF_MODEL", "m2m100_418M")
    assert default_model() == "m2m100_418M"  # the operator's choice still wins


def test_models_list_tells_which_is_the_default_and_why(quickmt_models, capsys):
    assert main(["models", "list"]) == 0
    out = capsys.readouterr().out
    assert "default: quickmt-zh-en (CTranslate2 is installed)" in out
    assert "* quickmt-zh-en" in out and "  opus-mt-zh-en" in out


PUBLISHED = [".gitattributes", "README.md", "config.json", "eole-config.yaml", "eole_model/config.json",
             "eole_model/model.00.safetensors", "eole_model/src.spm.model", "eole_model/tgt.spm.model",
             "eole_model/vocab.json", "model.bin", "source_vocabulary.json", "src.spm.model", "target_vocabulary.json",
             "tgt.spm.model"]  # quickmt/quickmt-zh-en's file list on the Hub


@pytest.fixture
def fake_hub(tiny_quickmt_dir, monkeypatch):
    """The Hub as huggingface_hub shows it, serving the tiny model's files under quickmt's published names."""
    import huggingface_hub
    from huggingface_hub.utils import filter_repo_objects

    import qabrief.translate.download as download

    fetched = []

    def snapshot_download(repo_id, local_dir, allow_patterns, ignore_patterns):
        for name in filter_repo_objects(PUBLISHED, allow_patterns=allow_patterns, ignore_patterns=ignore_patterns):
            fetched.append(name)
            source = tiny_quickmt_dir / name
            (local_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (local_dir / name).write_bytes(source.read_bytes() if source.is_file() else b"")
        return str(local_dir)

    monkeypatch.setattr(download, "hub_reachable", lambda timeout=3.0: True)
    monkeypatch.setattr(huggingface_hub, "list_repo_files", lambda repo_id: PUBLISHED)
    monkeypatch.setattr(huggingface_hub, "snapshot_download", snapshot_download)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    return fetched


def test_download_fetches_only_what_inference_needs(fake_hub, tmp_path, monkeypatch, memorized_pairs):
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    assert main(["models", "download", "quickmt-zh-en"]) == 0
    assert sorted(fake_hub) == ["README.md", "config.json", "model.bin", "source_vocabulary.json", "src.spm.model",
                                "target_vocabulary.json", "tgt.spm.model"]
    assert not (tmp_path / "models" / "quickmt-zh-en" / "eole_model").exists()
    zh, en = normal(memorized_pairs)[0]
    assert load_translator("quickmt-zh-en", cache=False).translate([zh]) == [en]


def test_first_use_downloads_the_preset_where_the_hub_is_reachable(fake_hub, tmp_path, monkeypatch, memorized_pairs):
    """A Space starts with no model: the default is fetched on first use, as transformers fetches the others."""
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    zh, en = normal(memorized_pairs)[0]
    assert load_translator("quickmt-zh-en", cache=False).translate([zh]) == [en]
    assert "model.bin" in fake_hub
