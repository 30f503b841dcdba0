#!/usr/bin/env bash
# One entry point for a fresh machine: `bash scripts/run.sh app` or `bash scripts/run.sh test`.
# Creates .venv (once), installs qabrief with what the job needs (only when pyproject.toml changed
# since the last install, so a second start needs no network), then runs the job.
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

# pip runs only when what is installed is out of date: a stamp in .venv holds the hash of
# pyproject.toml and the extras installed with it (QABRIEF_REINSTALL=1 forces a new install).
install() {
  local extras="$1" want stamp
  stamp=".venv/.qabrief-installed-${extras//,/-}"
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) $extras"
  if [ "${QABRIEF_REINSTALL:-0}" != 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] \
      && python -c "import qabrief" 2>/dev/null; then
    return 0
  fi
  pip install -q -e ".[$extras]"
  echo "$want" > "$stamp"
}

case "$job" in
  app)
    install "translate,app"
    exec python app.py "$@"
    ;;
  test)
    install "translate,app,fast,test,ray"
    # llama.cpp for the GGUF form (qabrief[gguf]): PyPI has only its source, which took 32-85 minutes
    # to compile on two loaded cores. pip keeps the wheel it built, so a machine that built it once
    # installs it in seconds; here it gets 5 minutes, and without it the GGUF tests skip, saying why.
    if ! python -c "import llama_cpp" 2>/dev/null; then
      timeout 300 pip install -q "llama-cpp-python>=0.3" \
        || echo "warning: llama-cpp-python was not installed within 5 minutes (it compiles llama.cpp): the GGUF tests will be skipped" >&2
    fi
    # The browser test drives Debian's Chromium (Playwright cannot download its own browser here);
    # a CJK font makes the screenshot readable.
    if [ ! -x /usr/bin/chromium ]; then
      if [ "$(id -u)" = 0 ]; then
        { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null; } \
          || echo "WARNING: installing Debian's chromium failed: the browser test will be skipped" >&2
      else
        echo "warning: /usr/bin/chromium missing and not root: the browser test will be skipped" >&2
      fi
    fi
    ruff check src tests scripts benchmarks app.py
    # Two pytest-xdist workers (one per core, at most two: more only contend for the same cores),
    # each test file whole on one worker so its module fixtures (the app server, Ray) start once;
    # QABRIEF_TEST_WORKERS=0 runs in one process. Tiny models are built once and kept in
    # ~/.cache/qabrief-tests (tests/tiny_models.py).
    workers="${QABRIEF_TEST_WORKERS:-$(( $(nproc) < 2 ? $(nproc) : 2 ))}"
    [ "$workers" -gt 1 ] || workers=0
    exec python -m pytest -q -n "$workers" --dist loadfile "$@"
    ;;
  *)
    echo "usage: bash scripts/run.sh app|test [args...]" >&2
    exit 2
    ;;
esac
