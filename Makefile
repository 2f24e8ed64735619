# The two commands of the README: `make chat` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
READY := $(VENV)/.ready

.PHONY: chat test lint lock studio chromium

# The studio's front end (studio/, TypeScript) is built into package data, runtime/studio_static/, when its
# sources are newer than the stamp. Only `make studio` and `make test` need Node; `make chat` never does.
STUDIO_SRC := $(shell find studio/src -type f 2>/dev/null) studio/index.html studio/vite.config.ts studio/tsconfig.json
STUDIO_BUILT := runtime/studio_static/.built
STUDIO_DEPS := studio/node_modules/.installed

$(READY): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r requirements.lock
	$(VENV)/bin/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

chat: $(READY)
	$(VENV)/bin/papo chat examples/clinic

$(STUDIO_DEPS): studio/package.json studio/package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "building the studio needs Node.js (20.19 or newer) and npm: apt-get install -y nodejs npm"; exit 1; }
	cd studio && npm ci --no-audit --no-fund
	touch $@

$(STUDIO_BUILT): $(STUDIO_DEPS) $(STUDIO_SRC)
	cd studio && npm run build
	touch $@

studio: $(STUDIO_BUILT)

# The browser tests drive Debian's chromium; they are never skipped, so a missing browser stops the run.
chromium:
	@test -x /usr/bin/chromium || { echo "the studio's browser tests need Debian's chromium at /usr/bin/chromium:"; \
	  echo "  apt-get install -y chromium fonts-noto-color-emoji   (bash .ci/run does it when run as root)"; exit 1; }

test: $(READY) studio chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy
	cd studio && npm test
	$(VENV)/bin/pytest

# Re-pin every dependency after editing pyproject.toml.
lock:
	rm -rf /tmp/papo-lock && $(PYTHON) -m venv /tmp/papo-lock
	/tmp/papo-lock/bin/pip install --quiet --disable-pip-version-check '.[test]'
	/tmp/papo-lock/bin/pip freeze --exclude-editable | grep -v '^papo' > requirements.lock
