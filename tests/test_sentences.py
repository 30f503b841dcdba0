import pytest

from qabrief.parse.script import detect_script, fold_width, to_simplified
from qabrief.parse.sentences import split_sentences


def texts(s):
    return [x.text for x in split_sentences(s)]


@pytest.mark.parametrize("text, expected", [
    ("第一句。第二句！第三句？", ["第一句。", "第二句！", "第三句？"]),
    ("他說：“很好。”然後走了。", ["他說：“很好。”", "然後走了。"]),
    ("單體能量密度提高2.2倍，成本下降85%左右。", ["單體能量密度提高2.2倍，成本下降85%左右。"]),
    ("來源:www.gkyy120.net?id=3!好。下一句。", ["來源:www.gkyy120.net?id=3!好。", "下一句。"]),
    ("2021.9.19發布。截至2024-03-08，增長5.2%。", ["2021.9.19發布。", "截至2024-03-08，增長5.2%。"]),
    ("一是夯實基礎；二是拓展應用……三是優化環境", ["一是夯實基礎；", "二是拓展應用……", "三是優化環境"]),
    ("真的嗎?!是的。", ["真的嗎?!", "是的。"]),
    ("沒有標點的一行\n第二行", ["沒有標點的一行", "第二行"]),
    ("（注：見附件。）後文。", ["（注：見附件。）", "後文。"]),
    ("", []),
    ("   \n  ", []),
])
def test_split(text, expected):
    assert texts(text) == expected


def test_offsets_are_exact_and_trimmed():
    text = "  開頭。 中間！\n結尾 "
    sentences = split_sentences(text)
    assert [(s.start, s.end) for s in sentences] == [(2, 5), (6, 9), (10, 12)]
    assert all(text[s.start:s.end] == s.text for s in sentences)


def test_simplified_form_beside_original():
    (s,) = split_sentences("工業和信息化部黨組成員說話。")
    assert s.text == "工業和信息化部黨組成員說話。"
    assert s.simplified == "工业和信息化部党组成员说话。"


def test_script_detection():
    assert detect_script("這是繁體中文，我們說話。") == "traditional"
    assert detect_script("这是简体中文，我们说话。") == "simplified"
    assert to_simplified("no Chinese") == "no Chinese"


def test_fold_width_keeps_chinese_punctuation():
    assert fold_width("ＧＤＰ增長５％，好！") == "GDP增長5%，好！"


def test_an_overlong_sentence_is_cut_at_a_comma_past_half_the_limit():
    from qabrief.parse.sentences import MAX_SENTENCE_CHARS

    clause = "我们继续推进改革开放" * 9 + "，"  # 91 characters, a comma at its end
    text = clause * 30 + "好。"
    sentences = split_sentences(text)
    assert len(sentences) > 1 and all(len(s.text) <= MAX_SENTENCE_CHARS for s in sentences)
    assert all(s.text.endswith("，") for s in sentences[:-1])  # cut after a comma, not inside a word
    assert "".join(s.text for s in sentences) == text  # nothing lost
    assert [len(s.text) for s in split_sentences("钢" * 2500)] == [1000, 1000, 500]  # no comma: at the limit


def test_an_overlong_sentence_is_never_cut_inside_a_number():
    body = ("我们将继续推进高水平对外开放，" * 80)[:985] + "今年全年进出口总额达到1,234,567亿元，10:30再谈。"
    pieces = [s.text for s in split_sentences(body)]
    assert len(pieces) == 2 and "1,234,567亿元" in pieces[1] and "".join(pieces) == body
    digits = "1" * 1200  # a number longer than the limit itself is cut at the limit
    assert [len(s.text) for s in split_sentences("共" + digits)] == [1000, 201]
