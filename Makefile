# Lode: the README's two commands are `make run` and `make test`.
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format check db-start db-stop demo clean bench

# Re-install only when the dependency list changes, so a second `make run` starts in seconds.
$(STAMP): pyproject.toml
	@test -x $(PY) || { PYTHON=$$(bin/find-python) && echo "Creating $(VENV) with $$PYTHON" && $$PYTHON -m venv $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# A local .env for development: DEBUG on and a random SECRET_KEY, never committed.
.env: | $(STAMP)
	@$(PY) -c "import secrets; print('# Local development settings, made by make; see README.md.'); print('DEBUG=true'); print('SECRET_KEY=' + secrets.token_urlsafe(50))" > .env
	@echo "Wrote .env (DEBUG=true, random SECRET_KEY) for local development."

venv: $(STAMP)

run: $(STAMP) .env
	@PORT=$(PORT) bin/run

test: $(STAMP) .env
	$(PY) manage.py db_start
	$(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

db-start: $(STAMP)
	$(PY) manage.py db_start

db-stop: $(STAMP)
	$(PY) manage.py db_stop

demo: $(STAMP)
	$(PY) manage.py seed_demo

# Load test under gunicorn over 100k ideas / 1M votes in a scratch database (about 6-8
# minutes on two cores); BENCH_ARGS="--ideas 20000 --votes 200000" for a smaller run.
# See docs/performance.md.
bench: $(STAMP)
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	-test -x $(PY) && $(PY) manage.py db_stop
	rm -rf $(VENV) .pgdata
