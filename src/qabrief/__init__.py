"""qabrief: bilingual briefs of Chinese press-conference transcripts.

The pipeline is parse → summarize → translate → render; each stage is a module with a
small interface, and nothing heavy (models, OpenCC, jieba) loads at import time.
"""

from .errors import QabriefError
from .parse import Segment, Sentence, Speaker, Transcript, Turn, parse

__all__ = ["QabriefError", "Segment", "Sentence", "Speaker", "Transcript", "Turn", "parse"]
__version__ = "0.1.0"
