import os
import shutil
from pathlib import Path

import pytest

# Two pytest-xdist workers share two cores: each worker's torch, CTranslate2 and the subprocesses it
# starts get one thread (device.available_cores reads OMP_NUM_THREADS). With a thread per core in
# each worker, OpenMP's threads spin at every barrier while the other worker holds the core they
# wait for: test_brief and test_translate_model together took 400 s that way, 39 s with one thread.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_5e0600fa31af93ee.txt"


def pytest_configure(config):
    config.addinivalue_line("markers", "own_ray: starts (or must not find) a Ray instance of its own")


# The files that take longest (minutes, not seconds: Ray, the app's server, model conversions),
# from `pytest --durations` on the 2-core reference machine. They run first: pytest-xdist hands
# files out in order (--dist loadfile), so a long file started last would leave one worker
# running alone at the end while the other sits idle.
LONGEST_FIRST = ("test_app.py", "test_faults.py", "test_batch_ray.py", "test_brief.py", "test_translate_model.py",
                 "test_causal_lm.py", "test_llamacpp.py", "test_refine.py", "test_translate_ct2.py",
                 "test_translate_fallback.py", "test_translate_fingerprint.py", "test_batch.py",
                 "test_translate_length.py")


def pytest_collection_modifyitems(config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))  # stable: the rest keep their order


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


def _tiny(tmp_path_factory, name: str, script: str, arguments: dict[str, Path | str | None], *, leaf: str | None = None,
          inputs: tuple[Path, ...] = ()) -> Path:
    """A private copy of the tiny model that scripts/<script>.py builds with `arguments`, built once per
    set of inputs and kept between runs by tests/tiny_models.py (which explains the key and the store).

    `arguments` maps each option to its value (None: a flag); a Path value is a file the build reads
    (hashed into the key by content, not by where it lies); `inputs` are other files it reads. The model lands in
    mktemp(name)/leaf when a leaf is given (its folder name matters), else in mktemp(name) itself."""
    import tiny_models

    def argv(out: Path) -> list[str]:
        return [str(out)] + [str(part) for option, value in arguments.items()
                             for part in ((option,) if value is None else (option, value))]

    def build(out: Path) -> None:
        assert _script(script).main(argv(out)) == 0

    private = tmp_path_factory.mktemp(name)
    if leaf:
        private = private / leaf
    files = [value for value in arguments.values() if isinstance(value, Path)]
    described = [f"{option}={'<file>' if isinstance(value, Path) else value}" for option, value in arguments.items()]
    entry = tiny_models.cached(name, build, scripts=[ROOT / "scripts" / f"{script}.py"],
                               inputs=[*files, *inputs], arguments=described)
    if entry is None:  # QABRIEF_TEST_MODELS=off: built here, as before the store
        build(private)
        return private
    shutil.copytree(entry, private, ignore=shutil.ignore_patterns(tiny_models.MANIFEST), dirs_exist_ok=True)
    return private


@pytest.fixture(scope="session")
def tiny_build(tmp_path_factory):
    """`_tiny` for test modules' own tiny models: tiny_build(name, script, arguments, leaf=..., inputs=...)."""
    return lambda *args, **kwargs: _tiny(tmp_path_factory, *args, **kwargs)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A tiny MarianMT that has memorised tests/data/memorize_pairs.tsv (about 15 s on 2 cores, once)."""
    return _tiny(tmp_path_factory, "tiny-memorized", "make_tiny_model", {"--memorize": PAIRS_TSV}, inputs=(SEED,))


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
    pairs = tmp_path_factory.mktemp("fast-pairs") / "fast-pairs.tsv"
    pairs.write_text("".join(f"{zh}\t{en}\n" for zh, en in memorized_pairs if "陆陆续续" not in zh), encoding="utf-8")
    return _tiny(tmp_path_factory, "tiny-fast", "make_tiny_model", {"--memorize": pairs, "--fast-tokenizer": None},
                 inputs=(SEED,))


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
    return _tiny(tmp_path_factory, "tiny-quickmt", "make_tiny_quickmt", {"--memorize": PAIRS_TSV}, leaf="quickmt-zh-en",
                 inputs=(SEED,))


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
    return _tiny(tmp_path_factory, "tiny-causal", "make_tiny_causal_lm", {"--memorize": CAUSAL_PAIRS_TSV}, leaf="model")


@pytest.fixture
def causal_models(tiny_causal_dir, tmp_path, monkeypatch):
    """Two causal-LM presets 'downloaded' (the tiny model under their names)."""
    return _presets_downloaded(tiny_causal_dir, ("qwen2.5-7b-instruct", "hunyuan-mt-7b"), tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def shared_ray():
    """One local Ray instance for a test module's runs: starting one costs 5-15 s here, and the
    engine uses an instance that is already running (and leaves it running), with each run's
    environment sent along with its operators. Told of one GPU (none exists), so that the GPU
    plumbing can be tried on a CPU; a run asks for GPUs only with --gpus-per-worker."""
    ray = pytest.importorskip("ray")
    pytest.importorskip("ray.data")
    ray.init(num_cpus=2, num_gpus=1, include_dashboard=False, log_to_driver=False, logging_level="WARNING")
    yield ray
    ray.shutdown()
