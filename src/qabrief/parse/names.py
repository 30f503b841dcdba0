"""Speaker names and outlets in English.

It lives in the parse stage, which owns speakers (surnames, labels): the stage that finds a
speaker and the later ones that print it in English all read it from here, so no import
runs from a lower stage to a higher one.

Personal names are romanised, not translated: Hanyu Pinyin, surname first, with the
characters beside (Xiao Yaqing 肖亞慶), the form Chinese government English uses. Well
known outlets have fixed English names that a small MT model would garble ("Central
Radio and Television Station CCTV reporter"), so they come from a table; anything else
goes through the translator.
"""

from __future__ import annotations

from .script import to_simplified
from .speakers import COMPOUND_SURNAMES

# Outlets that ask at Chinese press conferences, by their Simplified names.
OUTLETS = {
    "中央广播电视总台央视": "CCTV", "总台央视": "CCTV", "中央广播电视总台": "China Media Group", "央视": "CCTV",
    "中央电视台": "CCTV", "中国国际电视台": "CGTN", "CGTN": "CGTN", "中央人民广播电台": "China National Radio",
    "中国国际广播电台": "China Radio International", "新华社": "Xinhua News Agency", "人民日报": "People's Daily",
    "中新社": "China News Service", "中国新闻社": "China News Service", "光明日报": "Guangming Daily",
    "经济日报": "Economic Daily", "中国日报": "China Daily", "环球时报": "Global Times", "澎湃新闻": "The Paper",
    "界面新闻": "Jiemian News", "封面新闻": "Cover News", "红星新闻": "Red Star News", "凤凰卫视": "Phoenix TV",
    "香港紫荆杂志": "Bauhinia Magazine (Hong Kong)", "紫荆杂志": "Bauhinia Magazine",
    "香港中评社": "China Review News Agency (Hong Kong)", "中评社": "China Review News Agency",
    "澳门月刊": "Macao Monthly", "香港商报": "Hong Kong Commercial Daily", "大公报": "Ta Kung Pao",
    "文汇报": "Wen Wei Po", "路透社": "Reuters", "法新社": "AFP", "美联社": "Associated Press",
    "彭博社": "Bloomberg", "彭博新闻社": "Bloomberg", "日本共同社": "Kyodo News", "共同社": "Kyodo News",
    "塔斯社": "TASS", "俄新社": "RIA Novosti", "韩联社": "Yonhap News Agency", "日本广播协会": "NHK",
    "NHK": "NHK", "BBC": "BBC", "CNN": "CNN", "半岛电视台": "Al Jazeera", "华尔街日报": "The Wall Street Journal",
    "纽约时报": "The New York Times", "金融时报": "Financial Times", "第一财经": "Yicai", "财新": "Caixin",
    "21世纪经济报道": "21st Century Business Herald", "每日经济新闻": "National Business Daily",
    "北京青年报": "Beijing Youth Daily", "中国青年报": "China Youth Daily", "中国日报网": "China Daily Online",
}


def pinyin_name(name: str) -> str:
    """"肖亞慶" → "Xiao Yaqing"; "歐陽自遠" → "Ouyang Ziyuan"; names with · keep their parts."""
    from pypinyin import Style, lazy_pinyin

    simp = to_simplified(name)
    if "·" in simp:  # transliterated foreign names: one word per part
        return " ".join("".join(lazy_pinyin(part)).capitalize() for part in simp.split("·") if part)
    syllables = lazy_pinyin(simp, style=Style.NORMAL, errors="default")
    surname_len = 2 if simp[:2] in COMPOUND_SURNAMES else 1
    if len(simp) <= surname_len:
        return "".join(syllables).capitalize()
    surname = "".join(syllables[:surname_len]).capitalize()
    given = "".join(syllables[surname_len:]).capitalize()
    return f"{surname} {given}"


def name_with_characters(name: str) -> str:
    return f"{pinyin_name(name)} {name}"


def outlet_in_english(outlet: str) -> str | None:
    """The outlet's established English name, or None when the table does not know it."""
    simp = to_simplified(outlet).strip("《》 ")
    if simp in OUTLETS:
        return OUTLETS[simp]
    # "香港紫荆杂志" vs "紫荆杂志", "美国CNN" vs "CNN": the longest known name inside it
    inside = [k for k in OUTLETS if k in simp]
    return OUTLETS[max(inside, key=len)] if inside else None
