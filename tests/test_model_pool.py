"""The model policy and the translator pool a public server relies on."""

import threading
import time

import pytest

from qabrief import QabriefError
from qabrief.model_pool import ModelPolicy, ModelRefused, TranslatorPool
from qabrief.translate import IdentityTranslator


class RecordingLoader:
    """Stands in for load_translator: records what was loaded; can be slow or fail for a name."""

    def __init__(self, slow: str | None = None, fail=lambda model: False):
        self.loaded: list[str] = []
        self.slow, self.fail = slow, fail
        self.release = threading.Event()

    def __call__(self, model, device="auto", backend="auto"):
        self.loaded.append(model)
        if model == self.slow:
            self.release.wait(10)
        if self.fail(model):
            raise QabriefError(f"model {model} is not downloaded")
        translator = IdentityTranslator()
        translator.name = model
        return translator


@pytest.fixture
def models(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    (folder / "mine").mkdir(parents=True)
    (folder / "mine" / "config.json").write_text("{}")
    monkeypatch.setenv("QABRIEF_MODELS_DIR", str(folder))
    monkeypatch.delenv("QABRIEF_MODEL", raising=False)
    monkeypatch.delenv("QABRIEF_ALLOW_ANY_MODEL", raising=False)
    return folder


@pytest.mark.parametrize("name", ["/etc", "someone/unknown-model", "~", "../models/../..", "/tmp",
                                  "opus-mt-zh-en/../../etc", "x" * 5000, "a\x00b"])
def test_refused_names_load_nothing(models, name):
    loader = RecordingLoader()
    pool = TranslatorPool(loader, policy=ModelPolicy.from_env())
    with pytest.raises(ModelRefused, match="not offered on this server.*QABRIEF_ALLOW_ANY_MODEL=1"):
        pool.get(name)
    assert loader.loaded == []


def test_offered_names_are_presets_the_default_and_the_models_folder(models, monkeypatch, tmp_path):
    monkeypatch.setenv("QABRIEF_MODEL", str(tmp_path / "operator-choice"))
    policy = ModelPolicy.from_env()
    offered = policy.offered()
    assert offered[0] == "operator-choice" and "opus-mt-zh-en" in offered  # names, never the server's paths
    assert "mine" in offered and not any(str(tmp_path) in name for name in offered)
    loader = RecordingLoader()
    pool = TranslatorPool(loader, policy=policy)
    for name in offered:
        pool.get(name)
    assert loader.loaded[-1] == str(models / "mine")


def test_the_operator_can_allow_any_model(models, monkeypatch, tmp_path):
    monkeypatch.setenv("QABRIEF_ALLOW_ANY_MODEL", "1")
    loader = RecordingLoader()
    translator, notice = TranslatorPool(loader, policy=ModelPolicy.from_env()).get(str(tmp_path))
    assert notice is None and loader.loaded == [str(tmp_path)]


def test_pool_keeps_at_most_max_models_least_recently_used_goes(models):
    loader = RecordingLoader()
    pool = TranslatorPool(loader, max_models=2)
    a, _ = pool.get("a")
    pool.get("b")
    assert pool.get("a")[0] is a  # a is now the most recent
    pool.get("c")  # b goes
    assert [k[0] for k in pool.loaded()] == ["a", "c"]
    pool.get("b")
    assert loader.loaded == ["a", "b", "c", "b"]


def test_a_slow_load_does_not_block_a_loaded_model(models):
    loader = RecordingLoader(slow="slow")
    pool = TranslatorPool(loader)
    pool.get("fast")
    waiter = threading.Thread(target=pool.get, args=("slow",))
    waiter.start()
    while "slow" not in loader.loaded:
        time.sleep(0.01)
    start = time.monotonic()
    translator, _ = pool.get("fast")  # while "slow" is still loading
    assert translator is not None and time.monotonic() - start < 5.0  # not the 10 s the load takes
    loader.release.set()
    waiter.join(10)


def test_parallel_first_requests_load_a_model_once(models):
    loader = RecordingLoader(slow="m")
    pool = TranslatorPool(loader)
    results = []
    threads = [threading.Thread(target=lambda: results.append(pool.get("m")[0])) for _ in range(6)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    loader.release.set()
    for t in threads:
        t.join(10)
    assert loader.loaded == ["m"] and len(results) == 6 and all(r is results[0] for r in results)


def test_a_failed_load_is_remembered_for_a_while(models, monkeypatch):
    import qabrief.model_pool as model_pool

    loader = RecordingLoader(fail=lambda model: True)
    pool = TranslatorPool(loader)
    first = pool.get("gone")
    second = pool.get("gone")
    assert first == second and first[0] is None and "model gone is not downloaded" in first[1]
    assert loader.loaded == ["gone"]
    monkeypatch.setattr(model_pool, "RETRY_FAILED_AFTER_S", 0.0)
    pool.get("gone")
    assert loader.loaded == ["gone", "gone"]
    monkeypatch.setattr(model_pool, "RETRY_FAILED_AFTER_S", 60.0)
    monkeypatch.setattr(model_pool, "MAX_REMEMBERED_FAILURES", 3)
    for i in range(10):
        pool.get(f"m{i}")
    assert len(pool._failed) == 3  # bounded however many names fail


def test_an_unloaded_model_is_not_kept_alive_by_its_batching_thread(models, monkeypatch):
    import qabrief.translate.shared as shared

    monkeypatch.setattr(shared, "IDLE_S", 600.0)  # without close() the thread would hold the model for this long
    released = []
    monkeypatch.setattr("qabrief.model_pool.release_device_memory", lambda: released.append(True))
    pool = TranslatorPool(RecordingLoader(), max_models=1)
    first, _ = pool.get("a")
    assert first.translate(["你好。"]) == ["你好。"]
    worker = next(layer for layer in (first.inner, getattr(first.inner, "inner", None))
                  if isinstance(layer, shared.BatchingTranslator))._worker
    assert worker.is_alive()
    pool.get("b")  # a goes
    worker.join(5)
    assert not worker.is_alive() and released
    assert first.translate(["还能用。"]) == ["还能用。"]  # a request still holding it is served


def test_the_operator_decides_which_devices_and_backends_a_page_offers(models, monkeypatch):
    loader = RecordingLoader()
    pool = TranslatorPool(loader, policy=ModelPolicy.from_env())
    for device, backend in (("cuda", "auto"), ("auto", "transformers"), ("cpu", "ct2")):
        with pytest.raises(ModelRefused, match="QABRIEF_DEVICES and QABRIEF_BACKENDS"):
            pool.get("opus-mt-zh-en", device, backend)
    assert loader.loaded == []
    monkeypatch.setenv("QABRIEF_DEVICES", "auto,cpu,tpu")
    monkeypatch.setenv("QABRIEF_BACKENDS", "auto, transformers")
    policy = ModelPolicy.from_env()
    assert policy.devices == ("auto", "cpu") and policy.backends == ("auto", "transformers")
    assert TranslatorPool(loader, policy=policy).get("opus-mt-zh-en", "cpu", "transformers")[1] is None


class FailsAtRunTime(IdentityTranslator):
    backend = "ct2"
    description = "CTranslate2 int8 on cpu"

    def translate_detailed(self, sentences):
        raise RuntimeError("Library libcublas.so.12 is not found or cannot be loaded")


def test_a_translator_failing_at_run_time_is_remembered_and_the_next_request_gets_the_fallback(models):
    loaded = []

    def loader(model, device="auto", backend="auto"):
        loaded.append(backend)
        return FailsAtRunTime() if backend == "auto" else IdentityTranslator()

    pool = TranslatorPool(loader)
    broken, _ = pool.get("opus-mt-zh-en")
    with pytest.raises(RuntimeError):
        broken.translate(["你好。"])
    fallback, notice = pool.get("opus-mt-zh-en")
    assert notice is None and loaded == ["auto", "transformers"]
    assert "CTranslate2 int8 on cpu failed: RuntimeError: Library libcublas.so.12" in fallback.description
    assert fallback.translate(["你好。"]) == ["你好。"]
    assert pool.get("opus-mt-zh-en")[0] is fallback and loaded == ["auto", "transformers"]


def test_a_translator_with_no_fallback_is_remembered_as_failed(models):
    loaded = []

    def loader(model, device="auto", backend="auto"):
        loaded.append((model, device, backend))
        return FailsAtRunTime()

    pool = TranslatorPool(loader, max_models=2)
    broken, _ = pool.get("m", "auto", "ct2")  # the user chose CTranslate2: nothing else to offer
    with pytest.raises(RuntimeError):
        broken.translate(["你好。"])
    translator, notice = pool.get("m", "auto", "ct2")
    assert translator is None and "no English" in notice and "libcublas.so.12" in notice
    assert loaded == [("m", "auto", "ct2")]  # remembered: not loaded again, and no other path tried
    assert pool.loaded() == []  # the failed translator was let go


def test_a_public_page_names_models_and_never_shows_the_servers_paths(models, monkeypatch, tmp_path):
    monkeypatch.setenv("QABRIEF_MODEL", str(tmp_path / "secret-place" / "tuned"))
    policy = ModelPolicy.from_env()
    assert policy.model_for("tuned") == str(tmp_path / "secret-place" / "tuned")
    assert policy.model_for("mine") == str(models / "mine") and policy.model_for("opus-mt-zh-en") == "opus-mt-zh-en"
    with pytest.raises(ModelRefused) as refused:
        policy.check(str(tmp_path / "elsewhere" / "model"))
    assert str(tmp_path) not in str(refused.value) and "'model' is not offered" in str(refused.value)

    def loader(model, **_):
        raise QabriefError(f"cannot load model from {model}: bad file")

    pool = TranslatorPool(loader, policy=policy)
    for name in ("tuned", "mine"):
        translator, notice = pool.get(name)
        assert translator is None and "bad file" in notice and str(tmp_path) not in notice
        assert f"cannot load model from {name}" in notice


def test_the_page_hides_a_relative_models_folder_but_keeps_the_commands_it_gives(tmp_path, monkeypatch):
    """The default models folder is the relative `models`: a path in it becomes "the models folder",
    the word in `qabrief models download` stays (a new user's page once said "run qabrief the models
    folder download")."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("QABRIEF_MODELS_DIR", "models")
    policy = ModelPolicy.from_env()
    command = "model quickmt-zh-en is not downloaded: run qabrief models download quickmt-zh-en"
    assert policy.public_text(command) == command
    assert policy.public_text("cannot load model from models/mine: no config.json") == (
        "cannot load model from the models folder/mine: no config.json")
    assert policy.public_text(f"cannot load model from {tmp_path / 'models' / 'mine'}") == (
        "cannot load model from the models folder/mine")
