# meetingsec — every set-up step lives here, so a fresh Debian machine needs only
# `make run` or `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := meetingsec:create_app
HOST ?= 0.0.0.0
PORT ?= 8000
WORKERS ?= 2

.PHONY: install system python assets translations migrate seed run run-https test test-sqlite \
        test-postgresql test-sqlite-app test-postgresql-app test-sqlite-browser \
        test-postgresql-browser lint fuzz bench messages clean release test-release

install: system python assets translations

system:
	@bash scripts/install-system.sh

# The virtual environment is rebuilt only when pyproject.toml changes.
python: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

assets: node_modules/.package-lock.json meetingsec/static/vendor/htmx.min.js
node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
meetingsec/static/vendor/htmx.min.js: node_modules/.package-lock.json scripts/vendor.sh
	bash scripts/vendor.sh

translations: python
	$(BIN)/pybabel compile --statistics -d meetingsec/translations

migrate: install
	$(BIN)/flask db upgrade

seed: migrate
	$(BIN)/flask seed-demo

run: seed
	@$(BIN)/flask demo-accounts --url "http://$$(hostname -I 2>/dev/null | awk '{print $$1}' || echo 127.0.0.1):$(PORT)/"
	bash scripts/serve.sh --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile -

# The same over HTTPS (tablets need it for the camera): a local CA and a certificate for
# this machine's addresses are made on first run; tablets install the CA from /tls.
HTTPS_PORT ?= 8443
run-https: seed
	@test -f instance/tls/server.crt || $(BIN)/flask tls init $$(for a in $$(hostname -I) localhost 127.0.0.1; do printf -- '--host %s ' $$a; done)
	@$(BIN)/flask demo-accounts --url "https://$$(hostname -I 2>/dev/null | awk '{print $$1}' || echo 127.0.0.1):$(HTTPS_PORT)/"
	bash scripts/serve.sh --bind $(HOST):$(HTTPS_PORT) --workers $(WORKERS) --certfile instance/tls/server.crt --keyfile instance/tls/server.key --access-logfile -

# The whole suite, once on SQLite and once on PostgreSQL (a throwaway server the tests
# start and stop themselves), in four runs two at a time: the tests without a browser on
# both backends, then the browser tests, each starting as soon as a core is free (each
# output is printed whole when its run ends; no test depends on a wall-clock bound).
test: install lint
	@$(MAKE) --no-print-directory --output-sync=target -j2 test-sqlite-app test-postgresql-app \
	  test-sqlite-browser test-postgresql-browser

test-sqlite:
	$(BIN)/pytest --db=sqlite $(PYTEST_ARGS)

test-postgresql:
	$(BIN)/pytest --db=postgresql $(PYTEST_ARGS)

test-sqlite-app:
	$(BIN)/pytest --db=sqlite --ignore=tests/e2e $(PYTEST_ARGS)

test-postgresql-app:
	$(BIN)/pytest --db=postgresql --ignore=tests/e2e $(PYTEST_ARGS)

test-sqlite-browser:
	$(BIN)/pytest --db=sqlite tests/e2e $(PYTEST_ARGS)

test-postgresql-browser:
	$(BIN)/pytest --db=postgresql tests/e2e $(PYTEST_ARGS)

# bandit: no finding of medium or high severity in the app (a justified one carries
# "# nosec" with its reason on the line).
lint: python
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit --quiet --recursive --severity-level medium meetingsec wsgi.py
	$(BIN)/lint-imports --no-cache

fuzz: install
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest tests/core/test_fuzz_forms.py

bench: install
	$(BIN)/python benchmarks/audit_bench.py
	$(BIN)/python benchmarks/devices_bench.py
	$(BIN)/python benchmarks/door_bench.py
	$(BIN)/python benchmarks/sqlite_writers_bench.py
	$(BIN)/python benchmarks/records_bench.py
	$(BIN)/python benchmarks/races_bench.py
	$(BIN)/python benchmarks/crash_bench.py
	$(BIN)/python benchmarks/weak_server_bench.py
	$(BIN)/python benchmarks/render_watch_bench.py
	$(BIN)/python benchmarks/import_bench.py
	$(BIN)/python benchmarks/lists_bench.py

# The offline release (README, "Deploying on an agency LAN"): a reproducible tarball of the
# tagged commit RELEASE_REF (default HEAD, which must carry a tag; RELEASE_ARGS=--untagged for
# a trial) with its wheels, assets, Debian packages, SBOM and checksums, in dist/. Needs root
# (debootstrap, apt) and the network, on a build machine, never on the LAN server.
RELEASE_REF ?= HEAD
release: system $(VENV)/.installed-release
	$(BIN)/python scripts/release.py build --ref $(RELEASE_REF) $(RELEASE_ARGS)

$(VENV)/.installed-release: $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[dev,release]'
	touch $@

# Build the release from this checkout (committed and tagged in a temporary clone), install
# it in a fresh minimal Debian 12 with no network (unshare -n + chroot) and check it:
# tests/release/check_release.py. As root; the minimal root is cached in
# /var/cache/meetingsec-release-test.
test-release: system $(VENV)/.installed-release assets
	$(BIN)/pytest -p no:cacheprovider tests/release/check_release.py $(PYTEST_ARGS)
	@cat test-output/release/figures.txt

# Extract, then update the catalogs after changing user-visible strings.
messages: python
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output --project=meetingsec -o meetingsec/translations/messages.pot .
	$(BIN)/pybabel update -i meetingsec/translations/messages.pot -d meetingsec/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) node_modules meetingsec/static/vendor
