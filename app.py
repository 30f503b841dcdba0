"""Gradio entry point for qabrief; also the Hugging Face Spaces entry (`app_file: app.py`)."""

import os
import sys
from pathlib import Path

# Gradio reports every start to api.gradio.app unless told not to: off unless the operator
# sets GRADIO_ANALYTICS_ENABLED=True (docs/operations.md). Before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

try:
    import qabrief  # noqa: F401
except ImportError:  # on Spaces the repository is not pip-installed: use the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from qabrief.app import build_app, launch

demo = build_app()

if __name__ == "__main__":
    launch(demo)
