# rsnet-analysis: two commands for analysts (see README.md)
#   make report   install into .venv (first time only) and analyse the bundled sample data -> out/
#   make test     install the development tools and run the whole test suite (notebooks included)

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: report test lint lab bench clean help notebooks

help:
	@echo "make report  - サンプルデータを分析して $(OUT)/ に結果を書き出す"
	@echo "make test    - テスト一式（ノートブックを含む）を実行する"
	@echo "make lab     - JupyterLab でノートブックを開く"
	@echo "make bench   - ベンチマーク（品質・速度）を実行する"
	@echo "make notebooks - ノートブックを実行し直して出力を保存する"
	@echo "（INSTALLER=pip を付けると uv ではなく pip でパッケージを入れます。例: make report INSTALLER=pip）"

# The pinned packages are installed with uv (which pip installs into .venv the first time): it
# installs them in parallel and byte-compiles them on every core, about 30 s where pip took 70
# (most of it pip compiling every module one by one). uv reads PyPI directly, not pip's settings:
# where it cannot install (a network that reaches PyPI only through a mirror configured for pip,
# say), the same pins are installed with pip, and .venv/.use-pip makes later steps use pip at
# once (delete .venv to try uv again). `make report INSTALLER=pip` uses pip from the start.
INSTALLER ?= uv
UV_PIN    := uv==0.13.9

define install
	@if [ "$(INSTALLER)" != pip ] && [ ! -f $(VENV)/.use-pip ] && \
	    { [ -x $(BIN)/uv ] || $(BIN)/python -m pip install --quiet $(UV_PIN) >/dev/null 2>&1; } && \
	    $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python $(1); then :; else \
	  if [ "$(INSTALLER)" != pip ] && [ ! -f $(VENV)/.use-pip ]; then touch $(VENV)/.use-pip; \
	    echo "uv では入れられなかったため、ここからは pip で入れます / uv failed, installing with pip from here on"; fi; \
	  [ -f $(VENV)/.pip-upgraded ] || { $(BIN)/python -m pip install --quiet --upgrade pip && touch $(VENV)/.pip-upgraded; }; \
	  $(BIN)/python -m pip install --quiet $(1); fi
endef

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 以上が必要です / Python 3.11+ is required")'
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt requirements-vectors.txt pyproject.toml | $(BIN)/python
	@echo "install: requirements.txt requirements-vectors.txt -e . -> $(VENV)/"
	$(call install,-r requirements.txt)
	$(call install,--no-deps -r requirements-vectors.txt)
	$(call install,--no-deps -e .)
	@touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.runtime-installed
	@echo "install: requirements-dev.txt -> $(VENV)/"
	$(call install,-r requirements-dev.txt)
	$(BIN)/python -m ipykernel install --prefix $(VENV) --name python3 --display-name "rsnet-analysis" >/dev/null
	@touch $@

report: $(VENV)/.runtime-installed
	$(BIN)/rsnet analyze --out $(OUT)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff check rsnet_analysis tests benchmarks notebooks
	$(BIN)/mypy

# the tests run in up to 4 processes (pytest-xdist); --dist loadscope keeps each notebook's cells
# (and each test module) in one process, in order
test: lint
	MPLBACKEND=Agg RSNET_PROGRESS=0 $(BIN)/python -m pytest --nbval -q -n auto --maxprocesses 4 --dist loadscope

# as root (a container, a shared server) JupyterLab refuses to start without --allow-root
lab: $(VENV)/.dev-installed
	$(BIN)/jupyter lab notebooks $$( [ "$$(id -u)" = 0 ] && echo --allow-root )

bench: $(VENV)/.dev-installed
	$(BIN)/python benchmarks/bench_tokenizer.py
	$(BIN)/python benchmarks/bench_pii.py
	$(BIN)/python benchmarks/bench_quality.py
	$(BIN)/python benchmarks/bench_kinds.py

# re-run the notebooks and store clean outputs (run after any change that alters results)
notebooks: $(VENV)/.dev-installed
	cd notebooks && for nb in [0-9][0-9]_*.ipynb; do \
	  env -u MPLBACKEND RSNET_PROGRESS=0 ../$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	    --ExecutePreprocessor.record_timing=False \
	    --ClearMetadataPreprocessor.enabled=True --ClearMetadataPreprocessor.clear_cell_metadata=False \
	    --ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
	    --ClearMetadataPreprocessor.preserve_nb_metadata_mask=jupytext "$$nb" || exit 1; done
	$(BIN)/jupytext --sync notebooks/[0-9][0-9]_*.ipynb

clean:
	rm -rf $(OUT) .pytest_cache
