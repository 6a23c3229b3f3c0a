# Every target has a plain equivalent for machines without make: see README.md.
PYTHON ?= python3
VENV := .venv
# The offline endpoint's port: `make serve PORT=8766`. A PORT set in your shell for other tools is not used.
SERVE_PORT := $(if $(filter command line,$(origin PORT)),$(PORT),8765)
ifeq ($(OS),Windows_NT)
  PY := $(VENV)/Scripts/python.exe
else
  PY := $(VENV)/bin/python
endif

.PHONY: setup test progress serve bench help
help:
	@echo "make setup          create .venv with the course installed (exact tested versions)"
	@echo "make check-01       grade your work/ files for section 01 (any NN)"
	@echo "make watch-01       re-grade section 01 on every save"
	@echo "make progress       every section's last result"
	@echo "make examples-01    run section 01's reference solutions"
	@echo "make serve          run the offline endpoint for your own scripts (another port: make serve PORT=8766)"
	@echo "make test           the course's own test suite"
	@echo "make bench          endpoint and grading speed"
	@echo "make record-01      instructors: re-record section 01 from the live endpoint in .env"

# grader/install.py checks the Python version, makes .venv, installs the pinned versions and leaves the marker.
setup: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -m grader.install

# The course's own tests, and every section suite grading the references (never your work/).
# Four workers on two cores: most tests wait on recorded pacing and retry delays, not the CPU;
# loadgroup keeps each section's suite on one worker, so its scripts run once.
test: setup
	$(PY) -m pytest -n 4 --dist loadgroup --grade examples -ra -p no:cacheprovider

check-%: setup
	@$(PY) -m grader check $*

watch-%: setup
	@$(PY) -m grader watch $*

examples-%: setup
	@$(PY) -m grader examples $*

record-%: setup
	@$(PY) -m grader record $*

progress: setup
	@$(PY) -m grader progress

serve: setup
	@$(PY) -m grader serve --port $(SERVE_PORT)

bench: setup
	$(PY) -m grader.bench
