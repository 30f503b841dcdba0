"""Extractive summaries of Q&A transcripts (sentences of the source, in source order)."""

from .qa import Budget, Pick, QASummarizer
from .segments import SegmentSummary, TurnSummary, summarize_segment, summarize_transcript
from .textrank import lead, plain_textrank

__all__ = ["Budget", "Pick", "QASummarizer", "SegmentSummary", "TurnSummary", "lead", "plain_textrank",
           "summarize_segment", "summarize_transcript"]
