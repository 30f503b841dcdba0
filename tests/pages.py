"""Web pages built from the corpus transcripts, as users save them: the transcript inside
realistic page chrome (site navigation, breadcrumbs, share buttons, related articles,
comment box, footer), in UTF-8, GBK or Big5. Used by the reading tests and by
benchmarks/reading_pages.py. The chrome is ours (invented, no real site's text)."""

from __future__ import annotations

from html import escape

NAV = ["首页", "新闻中心", "时政", "国际", "财经", "评论", "图片", "视频", "English"]
SHARE = "分享到： 微信 微博 QQ空间 复制链接"
RELATED = ["国务院常务会议部署进一步稳就业举措", "多地出台措施支持民营企业发展壮大",
           "今年前十个月全国铁路客运量同比增长", "专家解读：新一轮消费品以旧换新政策"]
COMMENTS = ["网友甲：说得很好，支持国家的立场！", "网友乙：希望这些政策尽快落地见效。"]
FOOTER = "版权所有 © 2024 示例新闻网 京ICP备12345678号 联系我们 | 关于我们 | 网站地图 | 举报中心"
SITE = "示例新闻网"

# Strings that must never reach a brief: everything of the chrome but the navigation words,
# which are too short to tell apart from transcript text.
CHROME_STRINGS = [SHARE.split("： ")[1], *RELATED, *(c.split("：", 1)[1] for c in COMMENTS), "京ICP备12345678号",
                  "我来说两句"]


def page_html(headline: str, date: str, body: str, charset: str = "utf-8") -> str:
    paragraphs = "\n".join(f"<p>{escape(line.strip())}</p>" for line in body.split("\n") if line.strip())
    nav = "".join(f'<li><a href="/{i}/">{escape(n)}</a></li>' for i, n in enumerate(NAV))
    related = "".join(f'<li><a href="/news/{i}.html">{escape(r)}</a></li>' for i, r in enumerate(RELATED))
    comments = "".join(f'<div class="comment"><span class="user">{escape(c.split("：")[0])}</span>'
                       f'<p>{escape(c.split("：", 1)[1])}</p></div>' for c in COMMENTS)
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="{charset}">
<title>{escape(headline)}_{SITE}</title>
<meta name="description" content="{escape(headline)}">
<link rel="stylesheet" href="/static/site.css"><script src="/static/site.js"></script>
</head><body>
<div class="header"><div class="logo"><a href="/">{SITE}</a></div><ul class="nav">{nav}</ul>
<form class="search"><input type="text" placeholder="搜索"><button>搜索</button></form></div>
<div class="breadcrumb">当前位置：<a href="/">首页</a> &gt; <a href="/news/">新闻中心</a> &gt; 正文</div>
<div class="main"><article>
<h1>{escape(headline)}</h1>
<div class="info"><span class="time">{escape(date)}</span> <span class="source">来源：{SITE}</span></div>
<div class="article-content">
{paragraphs}
</div>
<div class="editor">（责任编辑：王小明）</div>
</article>
<div class="share">{escape(SHARE)}</div>
<div class="related"><h3>相关新闻</h3><ul>{related}</ul></div>
<div class="comments"><h3>网友评论</h3>{comments}<textarea placeholder="我来说两句"></textarea>
<button>发表评论</button></div></div>
<div class="footer"><p>{escape(FOOTER)}</p></div>
<script>window.stats && window.stats.track("pageview");</script>
</body></html>
"""


def page_bytes(headline: str, date: str, body: str, encoding: str) -> bytes:
    """The page saved in `encoding`; characters it cannot hold become character references,
    as browsers and content systems write them."""
    charset = {"utf-8": "utf-8", "gbk": "gbk", "big5": "big5"}[encoding]
    return page_html(headline, date, body, charset).encode(encoding, "xmlcharrefreplace")
