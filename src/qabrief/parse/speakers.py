"""Is this text before a colon a speaker label, and if so, who?

Transcripts mark turns with a label and a colon, but press-conference prose is full of
colons too (“三個突破”:一是…, 這里有幾組數據:). A label must therefore *look like* a
speaker: a role word (记者, 主持人, 问/答), a title followed by a personal name, or a
bare personal name. A bare name is the riskiest form, so it must start with a Chinese
surname and must not be an ordinary dictionary word (checked against jieba's
dictionary, where words carry part-of-speech tags: person names are tagged `nr`).
All matching is done on the Simplified form so both scripts share one word list.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .script import HAN, to_simplified
from .transcript import Speaker

SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
    "常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝"
    "封蔺储楚丰言郁傅薄谈茅揭郦邸扈奚幸"
)
COMPOUND_SURNAMES = {
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "令狐", "慕容",
    "夏侯", "尉迟", "司徒", "公孙", "长孙", "宇文", "澹台",
}

# Words a title ends with; the personal name follows the title directly or after a space.
TITLE_ENDINGS = (
    "部长", "局长", "司长", "处长", "厅长", "省长", "市长", "县长", "区长", "院长", "校长", "行长", "署长",
    "会长", "社长", "台长", "馆长", "所长", "委员长", "秘书长", "理事长", "董事长", "组长", "队长", "署长",
    "发言人", "负责人", "总工程师", "总经济师", "总会计师", "总师", "工程师", "主任", "主席", "总理",
    "委员", "书记", "大使", "领事", "参赞", "总监", "总裁", "经理", "教授", "研究员", "专家", "代表",
    "首席", "参事", "巡视员", "总编辑", "主编", "特使", "司令员", "政委", "检察长", "庭长", "审判长",
    "长官", "特首", "办公室", "新闻办",
)
# Characters a label never contains
LABEL_STOP = r"\s:：︰\[\]【】。？！?!，,；;“”\"「」"
QUESTION_WORDS = {"问", "提问", "记者问", "记者提问", "Q", "q", "问题"}
# the last asker's next question: 追问, 又问, 记者追问, 追问一 …
FOLLOW_UP = re.compile(r"^(?:记者)?(?:追问|又问|再问|续问)[一二三四五六七八九十]?$")
ANSWER_WORDS = {"答", "回答", "A", "a"}
HONORIFICS = ("先生", "女士", "同志")

_NAME = f"(?:[{HAN}]{{1,6}}·[{HAN}]{{1,10}}|[{HAN}]{{2,4}})"
_REPORTER_RE = re.compile(rf"^(?P<outlet>[^\s:：，,。]*?)\s*记者(?:问|提问)?(?:\s*(?P<name>[{HAN}]{{2,4}}))?$")
_TITLED_RE = re.compile(rf"^(?P<title>.+?(?:{'|'.join(TITLE_ENDINGS)}))\s*(?P<name>{_NAME}?)$")
_HOST_RE = re.compile(rf"^主持人(?:\s*(?P<name>[{HAN}]{{2,4}}))?$")
_QUOTED_OUTLET = re.compile(r"[“「\"]([^”」\"]{1,15})[”」\"]")
_BAD_CHARS = re.compile(r"[，,。；;？?！!“”\"‘’（）()：:︰]")


def looks_like_name(name: str) -> bool:
    """A plausible personal name: surname first and not an everyday word."""
    simp = to_simplified(name)
    for suffix in HONORIFICS:
        if simp.endswith(suffix) and len(simp) > len(suffix) + 1:
            simp = simp[: -len(suffix)]
    if "·" in simp:
        return 3 <= len(simp) <= 17
    if not 2 <= len(simp) <= 4:
        return False
    if simp[:2] in COMPOUND_SURNAMES:
        return True
    if simp[0] not in SURNAMES:
        return False
    tag = _dictionary_tag(simp)
    return tag is None or tag.startswith("nr")


def _dictionary_tag(word: str) -> str | None:
    """The part of speech jieba's dictionary gives a word (nr: a person's name), or None.
    jieba's tagger holds that table anyway (figures and keywords tag words with it); a copy
    of our own would cost another ~45 MB resident."""
    import jieba.posseg

    return jieba.posseg.dt.word_tag_tab.get(word)


def classify_label(label: str, known: dict[str, Speaker] | None = None) -> Speaker | None:
    """The speaker a label names, or None when the text is not a speaker label.

    `known` maps Simplified names already introduced with a title to their speaker, so
    that a later `田玉龍:` inherits the title from `…新聞發言人田玉龍:`.
    """
    label = label.strip()
    # quotes are allowed only around a reporter's outlet (台灣“中國時報”記者)
    checked = _QUOTED_OUTLET.sub(r"\1", label) if "记者" in to_simplified(label) else label
    if not label or len(label) > 40 or _BAD_CHARS.search(checked):
        return None
    simp = to_simplified(label)
    compact = re.sub(r"\s+", "", simp)
    if compact in QUESTION_WORDS or FOLLOW_UP.match(compact):
        return Speaker(label=label, role="reporter")
    if compact in ANSWER_WORDS:
        return Speaker(label=label, role="official")
    if m := _HOST_RE.match(simp):
        return Speaker(label=label, role="host", name=_orig(label, simp, m, "name"))
    if m := _REPORTER_RE.match(simp):
        outlet = _orig(label, simp, m, "outlet")
        outlet = outlet.strip() if outlet else None
        if outlet and outlet.startswith("《") and outlet.endswith("》") and outlet.count("《") == 1:
            outlet = outlet[1:-1]
        if outlet and (len(outlet) > 30 or not re.search(f"[{HAN}A-Za-z]", outlet)):
            return None
        return Speaker(label=label, role="reporter", outlet=outlet or None, name=_orig(label, simp, m, "name"))
    if known:
        key = _strip_honorific(compact)
        if key in known:
            return relabel(known[key], label)
    if m := _TITLED_RE.match(simp):
        name = m.group("name")
        if name and looks_like_name(name):
            return Speaker(label=label, role="official", name=_orig(label, simp, m, "name"),
                           title=_orig(label, simp, m, "title").strip())
        if not name and len(compact) <= 20:
            return Speaker(label=label, role="official", title=label)
        return None
    if looks_like_name(compact) and " " not in label.strip():
        return Speaker(label=label, role="official", name=_strip_honorific(label))
    return None


def _strip_honorific(name: str) -> str:
    for suffix in HONORIFICS:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def relabel(speaker: Speaker, label: str) -> Speaker:
    """The same speaker under the label this turn printed (`田玉龍:` after `…發言人田玉龍:`)."""
    return replace(speaker, label=label)


def _orig(label: str, simp: str, match: re.Match, group: str) -> str | None:
    """The original-script text of a group matched on the Simplified form (same length)."""
    if match.group(group) is None:
        return None
    if len(label) == len(simp):
        return label[match.start(group) : match.end(group)] or None
    return match.group(group) or None


def identity(speaker: Speaker | None) -> str | None:
    """A key that is equal for two labels naming the same person (or role)."""
    if speaker is None:
        return None
    if speaker.name:
        return to_simplified(_strip_honorific(speaker.name))
    return to_simplified(speaker.label)
