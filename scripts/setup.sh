# Sourced by run.sh and test.sh: create .venv with Python 3.11 and install the project.
python=${PYTHON:-python3.11}
command -v "$python" >/dev/null 2>&1 || python=python3
if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv with $python"
  "$python" -m venv .venv
fi
stamp=.venv/.installed-$(cat pyproject.toml | cksum | cut -d' ' -f1)
if [ ! -f "$stamp" ]; then
  echo "== installing matchmaker and its dependencies (first run: a few minutes)"
  .venv/bin/python -m pip install -q --progress-bar on -e '.[dev]'
  echo "== dependencies installed"
  touch "$stamp"
fi
