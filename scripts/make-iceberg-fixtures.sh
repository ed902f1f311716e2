#!/usr/bin/env bash
# Regenerates examples/demo-warehouse/ (see scripts/make-iceberg-fixtures.py) with the pinned
# PyIceberg and pyarrow of test/e2e/iceberg-rest/requirements.txt, in a venv under .tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.tools/iceberg-fixtures-venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-deps -r test/e2e/iceberg-rest/requirements.txt
fi
"$venv/bin/python" scripts/make-iceberg-fixtures.py
