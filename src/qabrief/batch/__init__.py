"""`qabrief batch`: briefs for many transcripts, resumable and failure-tolerant.

Two engines run the same stages (`jobs`) and keep the same manifest (`manifest`): the
local engine (`local`, the default) and the Ray Data engine (`ray_engine`, `--engine
ray`) for archives that outgrow one machine.
"""

from .jobs import ERROR_LOG, BatchOptions, BatchReport, collect_inputs
from .local import run_batch
from .manifest import MANIFEST

__all__ = ["ERROR_LOG", "MANIFEST", "BatchOptions", "BatchReport", "collect_inputs", "run_batch"]
