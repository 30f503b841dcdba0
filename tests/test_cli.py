import json

import pytest

from qabrief.cli import main


def test_parse_outline(seed_path, capsys):
    assert main(["parse", str(seed_path)]) == 0
    out = capsys.readouterr().out
    assert "Segments: 7 questions" in out
    assert "肖亞慶 — 工業和信息化部部長 [official]" in out
    assert "Date:   2021-09-19T07:27:50" in out


def test_parse_json_schema(seed_path, capsys):
    assert main(["parse", str(seed_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"title", "date", "source", "script", "opening", "segments"} <= set(data)
    assert len(data["segments"]) == 7
    turn = data["segments"][1]["answer"][1]
    assert set(turn["speaker"]) == {"label", "name", "outlet", "title", "role"}
    assert turn["speaker"]["role"] == "official"
    s = turn["sentences"][0]
    assert {"text", "start", "end"} <= set(s) and s["end"] > s["start"]


@pytest.mark.parametrize("content, message", [
    (b"", "is empty"), (b"  \n ", "is empty"), (b"\x00\x01\x02binary\x00" * 10, "binary"),
    (b"plain English only", "no Chinese"),
])
def test_bad_files_give_one_line_and_exit_2(tmp_path, capsys, content, message):
    path = tmp_path / "input.txt"
    path.write_bytes(content)
    assert main(["parse", str(path)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_file(tmp_path, capsys):
    assert main(["parse", str(tmp_path / "nope.txt")]) == 2
    assert "no such file" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["translate", "记者：请问。", "--device", "cuda:x"], ["translate", "记者：请问。", "--device", "cuda1"],
    ["translate", "记者：请问。", "--device", "gpu"], ["eval", "--device", "cuda:"],
    ["batch", "in", "--out", "out", "--device", "CUDA-0"],
])
def test_a_device_that_is_no_device_is_one_line_naming_the_valid_forms(capsys, argv):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err and f"--device {argv[argv.index('--device') + 1]!r}" in err
    assert "use auto, cpu, cuda, cuda:N" in err and "or mps" in err


@pytest.mark.parametrize("option", ["--beams", "--max-length"])
@pytest.mark.parametrize("value", ["-1", "0"])
def test_a_beam_size_or_length_below_one_is_one_line(capsys, option, value):
    assert main(["translate", "记者：请问。", "--model", "none", option, value]) == 2
    err = capsys.readouterr().err
    assert err == f"qabrief: error: {option} must be a positive whole number, not {value}\n"


def test_the_valid_device_forms_pass_the_check(monkeypatch):
    from qabrief.cli import _check_options

    for device in ["auto", "cpu", "cuda", "cuda:0", "CUDA:12", "mps"]:
        _check_options(type("Args", (), {"device": device, "beams": 4, "max_length": 256})())


def test_translate_given_a_path_as_text_says_to_use_file(tmp_path, capsys, monkeypatch):
    (tmp_path / "transcript.txt").write_text("记者：请问发言人对此有何评论？", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for text in ["transcript.txt", "notes/missing.html"]:
        assert main(["translate", text, "--model", "none"]) == 2
        err = capsys.readouterr().err
        assert err == (f"qabrief: error: {text!r} looks like a file name, not Chinese text; to translate a file use "
                       f"--file {text}\n")


@pytest.mark.parametrize("command", [["parse"], ["summarize"], ["translate", "--model", "none", "--file"]])
def test_a_file_without_chinese_is_named_in_the_error(tmp_path, capsys, command):
    path = tmp_path / "english.txt"
    path.write_text("Only English here, no Chinese at all.", encoding="utf-8")
    assert main([*command, str(path)]) == 2
    err = capsys.readouterr().err
    assert err == f"qabrief: error: {path}: no Chinese text found: qabrief reads Chinese transcripts\n"
