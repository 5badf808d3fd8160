#!/usr/bin/env bash
# Print the path of a Python interpreter that Rasa 3.6 supports (3.10 preferred, 3.8-3.9 accepted).
# Looks at $PYTHON, then python3.10/3.9/3.8 on PATH, then pyenv's versions. Exits 1 with advice.
set -u
candidates=()
[ -n "${PYTHON:-}" ] && candidates+=("$PYTHON")
for v in 3.10 3.9 3.8; do candidates+=("python$v"); done
roots=()
command -v pyenv >/dev/null 2>&1 && roots+=("$(pyenv root)")
roots+=("${PYENV_ROOT:-$HOME/.pyenv}")
for root in "${roots[@]}"; do
  for v in 3.10 3.9 3.8; do
    for p in $(ls -d "$root"/versions/"$v".*/bin/python"$v" 2>/dev/null | sort -rV); do candidates+=("$p"); done
  done
done
for c in "${candidates[@]}"; do
  path=$(command -v "$c" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 10) else 1)' 2>/dev/null; then
    echo "$path"
    exit 0
  fi
done
cat >&2 <<'MSG'
No Python 3.10 (or 3.8/3.9) with venv was found. Rasa 3.6 needs Python 3.8-3.10.
Install one of:
  pyenv install 3.10.13                      (https://github.com/pyenv/pyenv)
  sudo apt-get install python3.10 python3.10-venv
then run the make command again, or point PYTHON at it: make run PYTHON=/path/to/python3.10
MSG
exit 1
