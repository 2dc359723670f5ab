#!/usr/bin/env bash
# Installs the peers of the Python benchmarks into .venv-pygolang (in the
# repo root, git-ignored): Pygolang (which builds from PyPI only with an old
# Cython) and gevent, so that chanbench.py runs on Pygolang beside us.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x .venv-pygolang/bin/python ]; then
    python3 -m venv .venv-pygolang
fi
c=$(mktemp)
echo 'cython<3' > "$c"
PIP_CONSTRAINT="$c" .venv-pygolang/bin/python -m pip install -q pygolang gevent
rm -f "$c"
.venv-pygolang/bin/python -c 'import golang; print("pygolang", golang.__version__)'
