# The two set-up commands: `make run` (the main job on the embedded default) and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOME_DIR ?= $(CURDIR)/.docintel
STAMP := $(VENV)/.installed
# the paddleocr engine (an optional second OCR backend); --no-deps: see the `paddle` extra in pyproject.toml
PADDLE_PKGS := paddleocr==3.7.0 paddlex==3.7.2

.PHONY: run test install system-deps bench lint eval samples model clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	$(BIN)/pip install -q --no-deps $(PADDLE_PKGS)
	touch $(STAMP)

install: $(STAMP)

# Debian packages the project uses: Tesseract (the third OCR engine), CJK fonts for the sample generator,
# chromium for the browser test (Playwright drives /usr/bin/chromium; never `playwright install`).
system-deps:
	@if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	  missing=""; for p in tesseract-ocr tesseract-ocr-chi-sim fonts-wqy-microhei fonts-wqy-zenhei fonts-arphic-uming fonts-arphic-ukai chromium; do \
	    dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	  if [ -n "$$missing" ]; then apt-get update -qq && apt-get install -y -qq $$missing; fi; \
	fi

# extract the committed samples, then serve them to clerks (SERVE=0: extract only)
SERVE ?= 1
PORT ?= 8000
run: install
	$(BIN)/docintel --home $(HOME_DIR) extract samples/committed --summary --out $(HOME_DIR)/records.jsonl
	@if [ "$(SERVE)" = 1 ]; then \
	  key=$$($(BIN)/docintel --home $(HOME_DIR) keys create --org default --role clerk --name demo) && \
	  echo "web app: http://127.0.0.1:$(PORT)/  (clerk key for organisation 'default': $$key; Ctrl-C stops)" && \
	  $(BIN)/docintel --home $(HOME_DIR) serve --port $(PORT); \
	fi

test: system-deps install
	$(BIN)/python -m pytest tests

eval: install
	$(BIN)/python -m samples.generate --out /tmp/docintel-eval --n 200 --seed 4242
	$(BIN)/docintel eval /tmp/docintel-eval

bench: install
	$(BIN)/python bench/bench_pipeline.py

# the contract NER + clause classifier (spaCy), trained from the project's own templates; deterministic
model: install
	$(BIN)/python -m extractors.ner.train

samples: install
	$(BIN)/python -m samples.generate --out samples/committed --n 16 --seed 7

lint: install
	$(BIN)/ruff check .
