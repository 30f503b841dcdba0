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
