#!/usr/bin/env bash
# Alibaba Cloud's official Python SDKs against the emulator: builds the
# emulator, makes a virtual environment with the pinned SDKs (reused while
# requirements.txt and the Python version stay the same), and runs every
# test_*.py here. Extra arguments go to unittest (`-k eip`, `-v`...).
#
# Needs python3 with venv and pip, and PyPI (or a mirror pip is set up for)
# the first time. PY_COMPAT_LOG_REQUESTS=1 shows the emulator's request log.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here/../.."
python="${PYTHON:-python3}"

target="${CARGO_TARGET_DIR:-target}"
mkdir -p "$target"
target="$(cd "$target" && pwd)"

echo "building the emulator"
emulator="$(cargo build --locked -p vpc-emulator --bin vpc-emulator --message-format=json-render-diagnostics \
  | "$python" -c '
import json, sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "vpc-emulator":
        print(m["executable"])
')"
[ -x "$emulator" ] || { echo "run.sh: no vpc-emulator binary came out of cargo build" >&2; exit 1; }

venv="$target/py-compat/venv"
stamp="$("$python" -c 'import hashlib, sys; print(sys.version.split()[0], hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$here/requirements.txt")"
if [ "$(cat "$venv/.requirements" 2>/dev/null || true)" != "$stamp" ]; then
  echo "making $venv with the SDKs of requirements.txt"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
  echo "$stamp" >"$venv/.requirements"
fi

cd "$here"
VPC_EMULATOR="$emulator" "$venv/bin/python" -m unittest "$@" test_tea test_legacy
