#!/usr/bin/env bash
# One entry point for a fresh machine: `bash scripts/run.sh app` or `bash scripts/run.sh test`.
# Creates .venv (once), installs qabrief with what the job needs, then runs the job.
set -euo pipefail
cd "$(dirname "$0")/.."
job="${1:-app}"; shift || true

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PY" -m venv .venv
fi
. .venv/bin/activate
export PIP_DISABLE_PIP_VERSION_CHECK=1
# torch first and pinned: 2.13.0 is a CPU build (a bare `torch` would pull a multi-GB CUDA build).
python -c "import torch" 2>/dev/null || pip install -q "torch==2.13.0"

case "$job" in
  app)
    pip install -q -e ".[translate]"
    exec qabrief parse seeds/000_5e0600fa31af93ee.txt "$@"
    ;;
  test)
    pip install -q -e ".[translate,test]"
    ruff check src tests scripts benchmarks
    exec python -m pytest -q "$@"
    ;;
  *)
    echo "usage: bash scripts/run.sh app|test [args...]" >&2
    exit 2
    ;;
esac
