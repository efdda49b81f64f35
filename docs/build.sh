#!/bin/sh
# Build the documentation with warnings as errors, then run every code example in it.
# Usage: docs/build.sh   (from anywhere; output in docs/_build/)
set -eu
cd "$(dirname "$0")/.."
python -m sphinx -W --keep-going -b html docs docs/_build/html
python -m sphinx -W -b doctest docs docs/_build/doctest
