# tfcourse: `make demo` sets everything up and grades the demo batch; `make test` runs the tests.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: setup system-packages demo test test-fast lab labextension release bench clean

# Offline data, Course 2's pre-trained base and Course 3's word vectors are made once here, so parallel
# test workers never race to write the same cache entry.
setup: system-packages $(VENV)/.installed
	@$(BIN)/tfcourse data fetch
	@$(BIN)/tfcourse data build

# Fashion-MNIST ships in Debian (elsewhere tfcourse falls back to Keras' download); bubblewrap is
# the grader's sandbox (without it grading still works and every report says "graded without sandbox");
# chromium and its driver run the JupyterLab browser tests (without them those tests are skipped);
# postgresql is the server the Postgres gradebook test starts (and stops) on a random port.
system-packages:
	@if [ -d /usr/share/datasets/fashion-mnist ] && command -v bwrap >/dev/null && command -v chromedriver >/dev/null \
		&& ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then :; \
	elif command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq dataset-fashion-mnist bubblewrap chromium chromium-driver \
			postgresql \
		|| echo "note: could not install dataset-fashion-mnist, bubblewrap, chromium, chromium-driver and postgresql"; \
	else echo "note: no apt-get; Fashion-MNIST will be downloaded on first use, grading runs without sandbox"; fi

# The lab extension's build and the server extension's switch are copied into the environment at install
# (pyproject's shared-data): a rebuilt extension is installed again.
$(VENV)/.installed: pyproject.toml tfcourse/lab/labextensions/tfcourse-lab/package.json tfcourse/lab/jupyter-config/tfcourse.json
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $@

demo: setup
	$(BIN)/tfcourse demo

# Two workers on two cores; --dist loadscope with tests/conftest.py's scheduler runs each test file (and
# each course's demo batch in tests/test_demo.py) on one worker, so every module fixture is built once.
test: setup
	$(BIN)/ruff check tfcourse tests benchmarks
	$(BIN)/python -m pytest -n 2 --dist loadscope --durations=25

test-fast: setup
	$(BIN)/python -m pytest -m "not slow"

# JupyterLab on the learner's copy (my_work/), with nbgrader's Assignments panel (fetch, submit, fetch
# feedback through the exchange) and its Validate button, and tfcourse's Check and Submit buttons.
lab: setup
	$(BIN)/tfcourse exchange publish
	$(BIN)/tfcourse lab

# Rebuild the prebuilt lab extension (tfcourse/lab/labextensions/, committed) after changing
# tfcourse/lab/frontend/: needs node and npm, which learners and CI do not.
labextension: $(VENV)/.installed
	cd tfcourse/lab/frontend && npm ci --no-audit --no-fund && PATH="$(CURDIR)/$(BIN):$$PATH" npm run build
	$(BIN)/python -c "from tfcourse.lab import SOURCE_DIGEST, frontend_digest; SOURCE_DIGEST.write_text(frontend_digest() + '\n')"

release: setup
	$(BIN)/tfcourse release

bench: setup
	$(BIN)/python benchmarks/grading_times.py

clean:
	rm -rf submitted autograded feedback downloaded gradebook.db gradebook.csv heldout
