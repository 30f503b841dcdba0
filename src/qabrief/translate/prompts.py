"""The prompt each causal-LM preset's card documents for Chinese→English, with room for context.

A prompt style is data, not code: the instruction (with `{source}`), the instruction when
the sentences before it are given as context (`{context}` and `{source}`), whether it goes
through the tokenizer's chat template as one user message or is used as plain text, and
the tokens that end the answer. The templates are the cards' own words where a card
gives them; where a card gives no context form, the context is a short preamble in the
card's own language, with the instruction not to translate it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PromptStyle:
    name: str
    template: str  # {source}
    context_template: str  # {context} and {source}
    chat: bool = True  # one user message through the tokenizer's chat template, generation prompt added
    stop_tokens: tuple[str, ...] = ()  # beyond the model's eos
    retry_note: str = "\n(Answer in English only, with the translation and nothing else.)"
    generation_prompt: bool = True  # the chat template's assistant opening (Hunyuan-MT's card: without)

    # glossary enforcement: the official renderings of the sentence's terms, before the instruction
    terms_template: str = "Use these English renderings of terms: {terms}.\n\n"
    term_format: str = "{zh} = {en}"
    term_joiner: str = "; "

    def build(self, tokenizer, sentence: str, context: str = "", retry: bool = False,
              terms: list[tuple[str, str]] | tuple = ()) -> str:
        """The exact text the model receives (special tokens included). `retry`: the second try
        after an answer that was not a translation, with the instruction made explicit; `terms`:
        (Chinese, official English) pairs the English must use."""
        text = (self.context_template.format(context=context, source=sentence) if context.strip()
                else self.template.format(source=sentence))
        if terms:
            listed = self.term_joiner.join(self.term_format.format(zh=zh, en=en) for zh, en in terms)
            text = self.terms_template.format(terms=listed) + text
        if retry:  # a plain prompt ends where the answer starts: its note goes first
            text = text + self.retry_note if self.chat else f"{self.retry_note.strip()}\n{text}"
        if not self.chat:
            return text
        return tokenizer.apply_chat_template([{"role": "user", "content": text}], tokenize=False,
                                             add_generation_prompt=self.generation_prompt)


DEFAULT_PROMPT = "qwen-instruct"  # a local causal-LM folder that is no preset: a plain instruction, chat template

PROMPTS: dict[str, PromptStyle] = {
    style.name: style
    for style in (
        # Hunyuan-MT-7B's card (github.com/Tencent-Hunyuan/Hunyuan-MT README): the ZH<=>XX prompt with
        # <target_language> = 英语, one user message, no system prompt, add_generation_prompt=False.
        # The context form is ours, in the card's words.
        PromptStyle("hunyuan-mt", "把下面的文本翻译成英语，不要额外解释。\n\n{source}",
                    "上文（仅供参考，不要翻译）：{context}\n\n把下面的文本翻译成英语，不要额外解释。\n\n{source}",
                    stop_tokens=("<|eos|>", "<|endoftext|>"), generation_prompt=False,
                    retry_note="\n（只输出英文译文。）", terms_template="参考下面的翻译：\n{terms}\n\n",
                    term_format="{zh} 翻译成 {en}", term_joiner="\n"),
        # Hy-MT2's card (github.com/Tencent-Hunyuan/Hy-MT2 README, "Translation Task Instruction Examples",
        # Chinese prompts, the target language's Chinese name as its note asks): the default translation, the
        # terminology form (its term lines, then the default instruction) and "Structured Data 2" (background
        # information, then the text) for the turn's earlier sentences. No system prompt; the chat template's
        # generation prompt added, as its transformers example does. The answer ends at the end of turn of the
        # 1.8B's template (<｜hy_place▁holder▁no▁2｜>, its tokenizer's eos) or the 7B's (<|eos|>): listed here as
        # well as read from the model's own files, since one style serves both sizes.
        PromptStyle("hy-mt2", "将以下文本翻译为英语，注意只需要输出翻译后的结果，不要额外解释：\n\n{source}",
                    "【背景信息】\n{context}\n\n请结合背景信息将以下文本翻译为英语。\n\n【待翻译文本】\n{source}",
                    stop_tokens=("<｜hy_place▁holder▁no▁2｜>", "<|eos|>"),
                    retry_note="\n（只输出英文译文。）", terms_template="参考下面的翻译：\n{terms}\n",
                    term_format="{zh} 翻译成 {en}", term_joiner="\n"),
        # Seed-X's card (github.com/ByteDance-Seed/Seed-X-7B README): no chat template, the language tag
        # ends the prompt; its example is EN→ZH, mirrored here for ZH→EN as its Space does
        PromptStyle("seed-x", "Translate the following Chinese sentence into English:\n{source} <en>",
                    "Context (do not translate): {context}\n"
                    "Translate the following Chinese sentence into English:\n{source} <en>", chat=False,
                    terms_template="Terms (use these English renderings): {terms}\n"),
        # Qwen2.5-Instruct: the card documents no translation prompt; an instruction of ours through its
        # chat template (which adds its default system message)
        PromptStyle("qwen-instruct", "Translate the following Chinese text into English. Output only the "
                    "translation.\n\n{source}",
                    "Earlier in the same speech (context only, do not translate it): {context}\n\nTranslate the "
                    "following Chinese text into English. Output only the translation.\n\n{source}",
                    stop_tokens=("<|im_end|>", "<|endoftext|>")),
    )
}
