#!/bin/sh
# Build the documentation with warnings as errors, then run every code example in it.
# Usage: docs/build.sh   (from anywhere; output in docs/_build/)
set -eu
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-$(command -v python3 || command -v python)}"
"$PYTHON" -m sphinx -W --keep-going -b html docs docs/_build/html
"$PYTHON" -m sphinx -W -b doctest docs docs/_build/doctest
