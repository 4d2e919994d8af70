# The front door. `make demo` runs Coproduce with a demo community; `make test` runs the suite.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# E-mail links and the printed addresses use the address the demo actually serves.
DEMO_ENV := DEBUG=true SITE_URL=http://127.0.0.1:$(PORT)
DEMO_MEMBERS ?= 300
DEMO_EXCHANGES ?= 3000

.PHONY: install demo seed serve test lint format check clean bench loadtest screenshots messages catalogues

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

# Compiled message catalogues (built from the .po sources with gettext's msgfmt; never committed).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard coproduce/locale/*/LC_MESSAGES/django.po \
	coproduce/locale_allauth/*/LC_MESSAGES/django.po))

%.mo: %.po
	@if command -v msgfmt >/dev/null; then msgfmt --check -o $@ $<; \
	else echo "gettext's msgfmt is missing, so $< is not compiled (pages keep allauth's own words): sudo apt-get install -y gettext"; fi

messages: $(MO_FILES)
	@for mo in $(MO_FILES); do test -f $$mo || { echo "$$mo was not built" >&2; exit 1; }; done

# After changing marked strings: bring the Welsh and Spanish catalogues up to date with the code
# (new strings come in untranslated, and web/tests/test_translations.py fails until they are
# translated), then compile them. en_GB holds only allauth's words, so it is left alone.
catalogues: install
	cd coproduce && $(DEMO_ENV) ../$(PY) ../manage.py makemessages -l cy -l es --no-obsolete \
		-i "*/tests/*" -i "*/migrations/*" -i "locale/*"
	$(MAKE) messages

install: $(VENV)/.installed $(MO_FILES)

seed: install
	$(DEMO_ENV) $(PY) manage.py migrate --noinput
	$(DEMO_ENV) $(PY) manage.py seed_demo --members $(DEMO_MEMBERS) --exchanges $(DEMO_EXCHANGES)

demo: seed
	@echo "Starting Coproduce on http://127.0.0.1:$(PORT) (Ctrl+C to stop)"
	$(DEMO_ENV) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	./scripts/test

# The README's pictures, taken again by the browser test that walks every role's pages on the demo.
screenshots: install
	COPRODUCE_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -q -p no:cacheprovider -m browser \
		coproduce/web/tests/browser/test_responsive.py -k every_role

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Every benchmark beside its target, on PostgreSQL with DEBUG off (BENCH_DATABASE_URL to point
# elsewhere; BENCH_ARGS for sizes, such as --members 100000 --history 2000000).
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coproduce_bench
BENCH_ARGS ?=
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=false ALLOWED_HOSTS=localhost,testserver \
	SECRET_KEY=bench-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') TASKS_BACKEND=immediate

bench: install
	@$(PY) scripts/ensure_database.py $(BENCH_DATABASE_URL)
	$(BENCH_ENV) $(PY) manage.py migrate --noinput -v0
	$(BENCH_ENV) $(PY) manage.py collectstatic --noinput -v0
	$(BENCH_ENV) $(PY) manage.py bench $(BENCH_ARGS)

# Every page of each role's day on gunicorn over the demo at the issue's size (issue 19). The
# first run seeds LOAD_DATABASE_URL (about half an hour at 100,000 members); later runs reuse it.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/coproduce_load
LOAD_MEMBERS ?= 100000
LOAD_EXCHANGES ?= 2000000
LOAD_ARGS ?=
LOAD_ENV := DATABASE_URL=$(LOAD_DATABASE_URL) DEBUG=false ALLOWED_HOSTS=localhost,127.0.0.1 \
	SECRET_KEY=load-$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))') TASKS_BACKEND=immediate

loadtest: install
	@$(PY) scripts/ensure_database.py $(LOAD_DATABASE_URL)
	$(LOAD_ENV) $(PY) manage.py migrate --noinput -v0
	$(LOAD_ENV) $(PY) manage.py seed_demo --members $(LOAD_MEMBERS) --exchanges $(LOAD_EXCHANGES)
	$(LOAD_ENV) $(PY) manage.py loadtest $(LOAD_ARGS)

check: install
	$(DEMO_ENV) $(PY) manage.py makemigrations --check --dry-run
	$(DEMO_ENV) $(PY) manage.py check

clean:
	rm -rf $(VENV) .tools var/*.sqlite3*
