# The two commands of the README: `make chat` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
READY := $(VENV)/.ready

.PHONY: chat test lint lock

$(READY): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

chat: $(READY)
	$(VENV)/bin/papo chat examples/clinic

test: $(READY)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	$(VENV)/bin/pytest

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/papo-lock && $(PYTHON) -m venv /tmp/papo-lock
	/tmp/papo-lock/bin/pip install --quiet --disable-pip-version-check '.[test]'
	/tmp/papo-lock/bin/pip freeze --exclude-editable | grep -v '^papo' > requirements.lock
