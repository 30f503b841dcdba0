"""Each transcript style real sources use, built from real structure."""

from pathlib import Path

import pytest

from qabrief import QabriefError, parse
from qabrief.parse.script import han_chars


def names(segment):
    return [t.speaker.name or t.speaker.label for t in segment.answer]


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "big5", "utf-8-sig", "utf-16"])
def test_seed_in_other_encodings(tmp_path: Path, seed_text, seed_transcript, encoding):
    path = tmp_path / f"seed-{encoding}.txt"
    path.write_bytes(seed_text.encode(encoding))
    t = parse(path)
    assert [s.question.text for s in t.segments] == [s.question.text for s in seed_transcript.segments]
    assert t.title == seed_transcript.title


def test_gbk_and_big5_are_told_apart(tmp_path, seed_text):
    (tmp_path / "a.txt").write_bytes(seed_text.encode("big5"))
    (tmp_path / "b.txt").write_bytes(seed_text.encode("gbk"))
    assert parse(tmp_path / "a.txt").encoding == "big5"
    assert parse(tmp_path / "b.txt").encoding == "gb18030"


def test_seed_wrapped_in_html_page(tmp_path, seed_text, seed_transcript):
    import html

    head, body = seed_text.split("\n", 4)[:4], seed_text.split("\n", 4)[4]
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in body.split(" "))
    page = (f"<!DOCTYPE html><html><head><meta charset='gbk'><title>{head[0]}</title>"
            "<style>p{color:red}</style><script>var x = '记者：不是发言';</script></head><body>"
            f"<div class='nav'>首页 &gt; 新闻</div><h1>{head[0]}</h1><div>{head[1]}&nbsp;&nbsp;{head[2]}</div>"
            f"{paragraphs}</body></html>")
    (tmp_path / "page.html").write_bytes(page.encode("gbk"))
    t = parse(tmp_path / "page.html")
    assert len(t.segments) == 7
    assert [names(s) for s in t.segments] == [names(s) for s in seed_transcript.segments]
    assert t.title == seed_transcript.title  # the mirror's spam prefix dropped on both paths
    assert t.source == "www.gkyy120.net"
    assert "不是发言" not in "".join(x.text for x in t.turns)


def test_turns_on_separate_lines_with_full_width_colons(seed_text, seed_transcript):
    body = seed_text.split("\n", 4)[4]
    for label in ["中央廣播電視總臺央視記者:", "肖亞慶: ", "界面新聞記者:", "田玉龍: ", "趙志國: "]:
        body = body.replace(label, "\n" + label.strip().replace(":", "：") + "\n")
    t = parse(body)
    assert [names(s) for s in t.segments] == [names(s) for s in seed_transcript.segments]
    assert t.segments[0].question.text == seed_transcript.segments[0].question.text


def test_bracketed_labels_and_live_text_timestamps():
    text = """国务院总理李克强答中外记者问（文字实录）
2024-03-08 10:49:41
[主持人]：现在开始提问。
[10:05]
【新华社记者】
总理您好，请问今年经济增长目标是如何确定的？
[10:07] [李克強]：谢谢你的提问。今年的目标是5%左右。
这个目标是积极的。
2024-03-08 10:52:10
[李克強]：我再补充一点。
【彭博社记者】请问中国如何看待外资？
【李克强】我们欢迎外资。"""
    t = parse(text)
    assert t.date == "2024-03-08T10:49:41"
    assert [s.question.speaker.outlet for s in t.segments] == ["新华社", "彭博社"]
    assert t.opening[0].speaker.role == "host"
    first = t.segments[0]
    assert [x.speaker.name for x in first.answer] == ["李克強"]  # same speaker twice in a row: one turn
    assert first.answer[0].text.endswith("我再补充一点。")
    assert first.answer[0].timestamp == "10:07"
    assert t.segments[1].answer[0].text == "我们欢迎外资。"
    assert "10" not in "".join(x.text for x in t.turns)


def test_question_answer_style_many_on_one_line():
    t = parse("问：今年的目标是什么？答：目标是5%左右。问：如何实现？答：靠改革。 問:還有嗎?答:沒有了。")
    assert len(t.segments) == 3
    assert [s.question.text for s in t.segments] == ["今年的目标是什么？", "如何实现？", "還有嗎?"]
    assert [s.answer[0].text for s in t.segments] == ["目标是5%左右。", "靠改革。", "沒有了。"]
    assert t.segments[0].answer[0].speaker.role == "official"


def test_question_answer_style_on_lines():
    t = parse("记者会实录\n问：\n第一个问题是关于就业的，形势怎么样？\n答：\n总体稳定。\n一是城镇新增就业1100万人。")
    assert len(t.segments) == 1
    assert t.title == "记者会实录"
    assert t.segments[0].answer[0].text == "总体稳定。一是城镇新增就业1100万人。"


def test_role_and_name_separated_by_space_and_host_turns():
    t = parse("主持人 曲衛國：女士們、先生們，上午好。\n人民日報記者：請問如何穩就業？\n"
              "人社部部長 王曉萍：謝謝。我們將出台新政策。\n主持人 曲衛國：下面請繼續提問。")
    host = t.opening[0].speaker
    assert (host.role, host.name, host.label) == ("host", "曲衛國", "主持人 曲衛國")
    seg = t.segments[0]
    assert seg.question.speaker.outlet == "人民日報"
    assert (seg.answer[0].speaker.name, seg.answer[0].speaker.title) == ("王曉萍", "人社部部長")
    assert seg.answer[1].speaker.role == "host"


def test_numbered_questions():
    t = parse("发布会实录\n1\n请问今年的出口形势如何？\n出口总体平稳，前三季度增长5%。\n2\n新华社记者：请问消费怎么样？\n"
              "消费回升。")
    assert len(t.segments) == 2
    assert t.segments[0].question.text == "请问今年的出口形势如何？"
    assert t.segments[0].answer[0].text == "出口总体平稳，前三季度增长5%。"
    assert t.segments[1].question.speaker.outlet == "新华社"


def test_transcript_that_starts_mid_answer():
    t = parse("稳定性进一步增强。我就回答这些。\n中新社记者：请问下一步怎么做？\n王文涛：我们将扩大开放。")
    assert t.opening[0].speaker is None and t.opening[0].text.startswith("稳定性")
    assert len(t.segments) == 1 and t.segments[0].answer[0].speaker.name == "王文涛"


def test_headline_colon_is_not_a_speaker():
    t = parse("王國慶:中國經濟仍將是世界經濟最強勁的“發動機”\n2013年3月2日\n"
              "全國政協十二屆一次會議新聞發布會上，新聞發言人王國慶回答記者提問。\n"
              "路透社記者：請問中國經濟前景如何？\n王國慶：中國經濟仍將保持較快增長。")
    assert t.title == "王國慶:中國經濟仍將是世界經濟最強勁的“發動機”"
    assert t.date == "2013-03-02"
    assert t.segments[0].answer[0].speaker.name == "王國慶"
    assert t.segments[0].answer[0].speaker.title == "新聞發言人"


def test_headline_line_inside_the_body_is_not_a_speaker():
    t = parse("新闻办举行发布会。\n王国庆：中国经济仍将是世界经济最强劲的“发动机”\n全文如下。记者：请问前景如何？答：很好。")
    assert len(t.segments) == 1
    assert all((x.speaker is None) or x.speaker.name != "王国庆" for x in t.turns)


def test_running_text_colon_is_not_a_speaker():
    t = parse("封面新聞記者：請問有哪些突破？\n肖亞慶：新能源汽車發展有“三個突破”:一是技術突破。二是產品突破。"
              "這里有幾組數據:第一，產銷量全球第一。")
    assert len(t.turns) == 2
    assert "三個突破”:一是" in t.segments[0].answer[0].text


def test_bilingual_transcript_keeps_english_as_reference():
    text = """2023年4月10日外交部发言人汪文斌主持例行记者会
Foreign Ministry Spokesperson Wang Wenbin's Regular Press Conference on April 10, 2023
总台央视记者：据报道，中法两国发表了联合声明。你能否介绍有关情况？
CCTV: It is reported that China and France issued a joint statement. Can you share more details?
汪文斌：中法双方发表了联合声明。
Wang Wenbin: China and France issued a joint statement.
这体现了双方的共识。
This reflects the consensus of both sides.
法新社记者：请问中方如何回应？
AFP: How does China respond?
汪文斌：我们已经多次阐明立场。
Wang Wenbin: We have made our position clear many times."""
    t = parse(text)
    assert len(t.segments) == 2
    q, a = t.segments[0].question, t.segments[0].answer[0]
    assert q.reference.startswith("It is reported that China and France")
    assert a.text == "中法双方发表了联合声明。这体现了双方的共识。"
    assert a.reference == "China and France issued a joint statement.\nThis reflects the consensus of both sides."
    assert all(not any(c.isascii() and c.isalpha() for c in s.text) for x in t.turns for s in x.sentences)


def test_article_without_speakers_is_one_segment_without_question():
    text = "工信部：前三季度工业增加值增长4%\n新华社北京10月20日电 前三季度，规模以上工业增加值同比增长4%。制造业增长较快。"
    t = parse(text)
    assert t.opening == []
    assert len(t.segments) == 1 and t.segments[0].question is None
    assert han_chars("".join(x.text for x in t.turns)) == han_chars(text.split("\n", 1)[1])


@pytest.mark.parametrize("bad, message", [
    ("", "empty"), ("   \n\t ", "empty"), ("Only English here, no Chinese at all.", "no Chinese"),
])
def test_bad_text_is_a_clear_error(bad, message):
    with pytest.raises(QabriefError, match=message):
        parse(bad)


def test_binary_and_oversized_files_are_refused(tmp_path):
    (tmp_path / "x.bin").write_bytes(bytes(range(256)) * 10)
    with pytest.raises(QabriefError, match="binary"):
        parse(tmp_path / "x.bin")
    (tmp_path / "big.txt").write_text("记者：问？" * 1000, encoding="utf-8")
    with pytest.raises(QabriefError, match="over the"):
        parse(tmp_path / "big.txt", max_bytes=1000)


def test_outlet_in_quotes_starts_a_new_question():
    t = parse("東方衛視記者：請問如何評論？\n陳斌華：我們堅決反對。不管局勢如何變化，都改變不了這個事實。\n"
              "台灣“中國時報”記者：第一個問題，跟進兩岸旅遊。請問何時開放？\n陳斌華：我們歡迎台灣同胞來大陸。\n"
              "《人民日報》記者：請問進展如何？\n陳斌華：進展順利。")
    assert [s.question.speaker.outlet for s in t.segments] == ["東方衛視", "台灣“中國時報”", "人民日報"]
    assert t.segments[0].answer[0].text == "我們堅決反對。不管局勢如何變化，都改變不了這個事實。"
    named = parse("台湾“中国时报”记者张三：请问何时开放？\n陈斌华：欢迎。\n台湾“联合报”记者问：请问进展？\n陈斌华：顺利。")
    assert [(s.question.speaker.name, s.question.text) for s in named.segments] == [("张三", "请问何时开放？"),
                                                                                  (None, "请问进展？")]
    first_line = parse("台灣“中國時報”記者:第一個問題跟進兩岸旅遊\n陳斌華:歡迎。")
    assert first_line.title is None and first_line.segments[0].question.text == "第一個問題跟進兩岸旅遊"


def test_quoted_words_before_a_colon_in_prose_are_not_a_label():
    t = parse("记者：请问如何评论？\n陈斌华：答复如下。某些“台独”媒体的记者：歪曲事实。他说“中国时报”的报道记者:不对。")
    assert len(t.turns) == 2 and t.turns[1].text.endswith("歪曲事实。他说“中国时报”的报道记者:不对。")


def test_live_text_with_stamps_after_labels_and_a_repeated_paragraph():
    # a live-text page: [speaker] [time]:text[time], one paragraph posted twice, the
    # repeat cut off where the stored page ends; then the page's pager
    text = ("[海峽之聲記者] [10:12]:請問發言人對此有何評論?\n"
            "[馬曉光] [10:19]:世界上只有一個中國,臺灣是中國的一部分。[10:19]\n"
            "[馬曉光] [10:22]:兩岸同胞是一家人,我們不斷為臺灣同胞辦實事。與之相反,民進黨當局製造對立。[10:22]\n"
            "[馬曉光] [10:22]:兩岸同胞是一家人,我們不斷為臺灣\n"
            "【 第1頁 第2頁 第3頁 】")
    t = parse(text)
    question, answer = t.segments[0].question, t.segments[0].answer[0]
    assert (question.timestamp, question.text) == ("10:12", "請問發言人對此有何評論?")
    assert answer.timestamp == "10:19"
    assert [s.text for s in answer.sentences] == ["世界上只有一個中國,臺灣是中國的一部分。", "兩岸同胞是一家人,我們不斷為臺灣同胞辦實事。",
                                                  "與之相反,民進黨當局製造對立。"]
    assert [t.text[a:b] for a, b in t.skipped_spans] == ["兩岸同胞是一家人,我們不斷為臺灣", "【 第1頁 第2頁 第3頁 】"]


def test_a_time_the_speaker_says_and_a_restated_sentence_are_kept():
    t = parse("记者：请问开幕式几点开始？\n王毅：请大家注意。开幕式的时间是明天上午（9:30）\n"
              "[陈斌华]：两岸同胞是一家人，我们不断为台湾同胞办实事。另一句话。\n[陈斌华]：两岸同胞是一家人，我们不断为台湾同胞办实事。\n"
              "记者：谢谢。")
    assert t.segments[0].answer[0].text == "请大家注意。开幕式的时间是明天上午（9:30）"
    assert t.segments[0].answer[1].text.count("两岸同胞是一家人") == 2  # not a page's repeat: said again


def test_a_minister_greeting_with_no_one_after_is_making_a_statement():
    # a stored page that ends before the questions: the minister's opening is substance
    statement = "王毅：各位记者朋友，大家上午好！很高兴再次同大家见面。当前，世界格局正在深刻变革。中国将坚定做和平的力量。"
    t = parse(statement)
    assert t.turns[0].speaker.role == "official"
    # the same greeting handing over to another official is the host's
    t = parse(statement[:-12] + "\n外交部副部长马朝旭：谢谢。中国外交取得新进展。")
    assert [x.speaker.role for x in t.turns] == ["host", "official"]


@pytest.mark.parametrize("filler", [" ", "\u3000", " | "])
def test_long_runs_of_spaces_do_not_stall_the_parser(filler):
    # a pasted page with long runs of spaces once took minutes (the inline-English and
    # closing-stamp patterns backtracked over every split of the run); 60 s is a hang
    # detector with a margin of about a thousand, not a speed goal
    import subprocess
    import sys

    code = (f"from qabrief import parse; t = parse('记者：请问？\\n王毅：答' + {filler!r} * 30000 + '好。[10:19]'); "
            "print(t.segments[0].answer[0].text.replace(' ', '').replace('\\u3000', '').replace('|', ''))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True)
    assert out.stdout.strip() == "答好。"


def test_a_pager_cut_off_by_the_stored_page_is_furniture_too():
    t = parse("记者：请问如何？\n王毅：很好。我们继续努力。\n【 第1頁 第2頁 第3頁 第1")
    assert t.segments[0].answer[0].text == "很好。我们继续努力。"
    assert [t.text[a:b] for a, b in t.skipped_spans] == ["【 第1頁 第2頁 第3頁 第1"]


def test_a_pager_above_the_headline_does_not_hide_it():
    t = parse("】 【打 印】\n【 第1頁 第2頁 第3頁 】\n國台辦例行發布會全文\nhttp://www.example.com   2024-09-11 13:09:46\n"
              "上海東方衛視記者：請問如何評論？\n陳斌華：我們堅決反對。")
    assert (t.title, t.date) == ("國台辦例行發布會全文", "2024-09-11T13:09:46")
    assert t.opening == [] and t.segments[0].answer[0].text == "我們堅決反對。"


def test_english_after_a_letter_digit_or_mark_is_not_a_new_label():
    from qabrief.parse.english import split_inline_english

    def english(line):
        return split_inline_english(line, 0, len(line))[1]

    assert english("外交政策呢? | Austrian Radio and Television: What is your view") == ["What is your view"]
    assert english("降低利率等? Reuters: Last year the bank said") == ["Last year the bank said"]
    # "5G | Reuters" and "aX.Reuters" run on from a product name and an abbreviation
    assert english("我们支持5G | Reuters: Premier Li, what do you think about it") == []
    assert english("中文aX.Reuters: Hello world again friends") == []


def test_a_label_shaped_headline_under_a_pager_is_still_the_title():
    t = parse("】 【打 印】\n【 第1頁 第2頁 第3頁 】\n王國慶:中國經濟仍將是世界經濟增長的重要引擎\n"
              "http://www.example.com   2024-09-11 13:09:46\n記者:請問如何評論?\n王國慶:我們堅決反對。")
    assert (t.title, t.date) == ("王國慶:中國經濟仍將是世界經濟增長的重要引擎", "2024-09-11T13:09:46")
    assert t.opening == []
