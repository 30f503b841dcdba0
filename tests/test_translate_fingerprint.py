"""A model replaced under the same name never serves the old model's cached English
(issue 26: local folders were keyed "local", CTranslate2 models had no revision at all)."""

import shutil

import pytest

from qabrief.translate import load_translator
from qabrief.translate.fingerprint import WHOLE_UP_TO, folder_fingerprint


def test_the_fingerprint_follows_the_bytes_not_the_times(tmp_path):
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    big = folder / "model.bin"
    big.write_bytes(bytes(WHOLE_UP_TO + (4 << 20)))
    first = folder_fingerprint(folder)
    big.touch()  # a new time, the same bytes
    assert folder_fingerprint(folder) == first
    with open(big, "r+b") as fh:  # one byte in the middle of a large file, as retrained weights change
        fh.seek(big.stat().st_size // 2)
        fh.write(b"\1")
    changed = folder_fingerprint(folder)
    (folder / "config.json").write_text('{"a": 1}')
    model = folder_fingerprint(folder)
    assert len({first, changed, model}) == 3
    (folder / ".cache").mkdir()
    (folder / ".cache" / "lock").write_text("x")  # a download's bookkeeping is not the model
    assert folder_fingerprint(folder) == model


@pytest.mark.slow
def test_a_model_replaced_in_its_folder_is_translated_afresh(tiny_model_dir, tmp_path, memorized_pairs):
    import torch
    from transformers import AutoModelForSeq2SeqLM

    folder = tmp_path / "models" / "our-model"
    shutil.copytree(tiny_model_dir, folder)
    zh = [z for z, _ in memorized_pairs[:3]]
    before = load_translator(folder, backend="transformers")
    assert before.translate(zh) == [en for _, en in memorized_pairs[:3]]  # memorised, and now cached

    model = AutoModelForSeq2SeqLM.from_pretrained(folder)  # replaced: the same name, other weights
    with torch.no_grad():
        for p in model.parameters():
            p.mul_(-1.0)
    model.save_pretrained(folder)
    after = load_translator(folder, backend="transformers")
    fresh = load_translator(folder, backend="transformers", cache=False)
    assert after.cache_key != before.cache_key
    assert after.translate(zh) == fresh.translate(zh) != before.translate(zh)
