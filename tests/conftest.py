from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


@pytest.fixture(autouse=True)
def _hermetic(tmp_path, monkeypatch):
    """Every test: no network (HF offline, hub address refuses at once), its own translation cache,
    models folder and memory."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.setenv("QABRIEF_CACHE_DIR", str(tmp_path / "qabrief-cache"))
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))  # conversions never land in the repo
    monkeypatch.setenv("QABRIEF_MEMORY_DIR", str(tmp_path / "memory"))
    monkeypatch.setattr("qabrief.app._pool", None)  # each test meets a fresh pool under its own environment


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_transcript():
    from qabrief import parse

    return parse(SEED)


def _tiny_model_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_tiny_model", ROOT / "scripts" / "make_tiny_model.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


PAIRS_TSV = ROOT / "tests" / "data" / "memorize_pairs.tsv"


@pytest.fixture(scope="session")
def memorized_pairs():
    return _tiny_model_module().read_pairs(PAIRS_TSV)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, memorized_pairs) -> Path:
    """A tiny MarianMT that has memorised tests/data/memorize_pairs.tsv (about 15 s on 2 cores)."""
    out = tmp_path_factory.mktemp("tiny-memorized")
    assert _tiny_model_module().main([str(out), "--memorize", str(PAIRS_TSV)]) == 0
    return out


@pytest.fixture
def isolated_hub(tmp_path, monkeypatch):
    """No models folder, no HF cache, and a hub address that refuses at once: tests never touch the network."""
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(tmp_path / "models"))
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf" / "hub"))
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("QABRIEF_MODEL", raising=False)
    monkeypatch.setenv("QABRIEF_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path


@pytest.fixture(scope="session")
def tiny_fast_model_dir(tmp_path_factory, memorized_pairs) -> Path:
    """The same kind of model with a Rust fast tokenizer (tokenizer.json), as NLLB and most hub models have.
    It memorises the pairs but the looping one (its shared vocabulary spells that one too long)."""
    out = tmp_path_factory.mktemp("tiny-fast")
    pairs = out.parent / "fast-pairs.tsv"
    pairs.write_text("".join(f"{zh}\t{en}\n" for zh, en in memorized_pairs if "陆陆续续" not in zh), encoding="utf-8")
    assert _tiny_model_module().main([str(out), "--memorize", str(pairs), "--fast-tokenizer"]) == 0
    return out


@pytest.fixture(scope="module")
def models_folder(tiny_model_dir, tmp_path_factory):
    """A models folder holding the tiny model as `tiny` (one per test module: conversions land here)."""
    import shutil

    folder = tmp_path_factory.mktemp("models")
    shutil.copytree(tiny_model_dir, folder / "tiny")
    return folder


@pytest.fixture
def models(models_folder, monkeypatch):
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(models_folder))
    return models_folder


def _script(name: str):
    import importlib.util
    import sys

    sys.path.insert(0, str(ROOT / "scripts"))  # make_tiny_quickmt imports make_tiny_model's helpers
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def tiny_quickmt_dir(tmp_path_factory) -> Path:
    """A tiny model in quickmt-zh-en's published CTranslate2 layout (separate vocabularies, an
    eole_model/ folder) that memorised tests/data/memorize_pairs.tsv."""
    pytest.importorskip("ctranslate2", reason="quickmt-zh-en runs on CTranslate2 (qabrief[fast])")
    out = tmp_path_factory.mktemp("tiny-quickmt") / "quickmt-zh-en"
    assert _script("make_tiny_quickmt").main([str(out), "--memorize", str(PAIRS_TSV)]) == 0
    return out


def _presets_downloaded(model: Path, names: tuple[str, ...], tmp_path, monkeypatch) -> Path:
    """A models folder where each preset of `names` is 'downloaded' (a tiny model), as users have it."""
    import shutil

    folder = tmp_path / "models"
    for name in names:
        shutil.copytree(model, folder / name)
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(folder))
    monkeypatch.delenv("QABRIEF_MODEL", raising=False)
    return folder


@pytest.fixture
def quickmt_models(tiny_quickmt_dir, tmp_path, monkeypatch):
    """The quickmt-zh-en preset 'downloaded' (the tiny model in its layout)."""
    return _presets_downloaded(tiny_quickmt_dir, ("quickmt-zh-en",), tmp_path, monkeypatch)


CAUSAL_PAIRS_TSV = ROOT / "tests" / "data" / "causal_pairs.tsv"


@pytest.fixture(scope="session")
def tiny_causal_dir(tmp_path_factory) -> Path:
    """A tiny causal LM (Qwen2 architecture, byte-level BPE, a chat template) that memorised the
    answers of tests/data/causal_pairs.tsv to the qwen-instruct prompt (about 10 s on 2 cores)."""
    out = tmp_path_factory.mktemp("tiny-causal") / "model"
    assert _script("make_tiny_causal_lm").main([str(out), "--memorize", str(CAUSAL_PAIRS_TSV)]) == 0
    return out


@pytest.fixture
def causal_models(tiny_causal_dir, tmp_path, monkeypatch):
    """Two causal-LM presets 'downloaded' (the tiny model under their names)."""
    return _presets_downloaded(tiny_causal_dir, ("qwen2.5-7b-instruct", "hunyuan-mt-7b"), tmp_path, monkeypatch)
