# astrid-api: every target is a thin wrapper over a documented command (see README.md).
.DEFAULT_GOAL := help
SHELL := /bin/bash

IMAGE      ?= astrid-api
REGISTRY   ?= registry.digitalocean.com/astrid
TAG        ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo dev)
RELEASE    ?= astrid
# make deploy's namespace; empty: the kube context's own (as plain helm and kubectl use).
NAMESPACE  ?=
PORT       ?= 8080
PLATFORM   ?= linux/amd64
# The Dockerfile's base (its own default, python:3.11-slim, when empty); PULL=--pull fetches it afresh.
BASE_IMAGE ?=
PULL       ?=
# The pull secret DOKS creates for the registry: registry-<registry name>.
PULL_SECRET = registry-$(notdir $(REGISTRY))
# The release version, and the image `helm install astrid ./helm/astrid` pulls by default.
APP_VERSION = $(shell awk '/^appVersion:/ {gsub(/"/, "", $$2); print $$2}' helm/astrid/Chart.yaml)
REF        = $(REGISTRY)/$(IMAGE):$(TAG)
REGISTRY_HOST = $(firstword $(subst /, ,$(REGISTRY)))
# `docker manifest` reaches a plain-HTTP registry only so: one on this machine (a laptop's or CI's)
# is detected; set INSECURE=--insecure for another.
INSECURE ?= $(if $(filter localhost:% 127.0.0.1:%,$(REGISTRY_HOST)),--insecure)
PIP_COMPILE = .venv/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
              --no-emit-index-url --no-emit-find-links

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

dev: ## Run the Tilt loop; creates or starts kind-astrid only when there is no context or it is kind-astrid (any other context is used as it is); ARGS go to tilt up
	bash scripts/dev.sh $(ARGS)

# tilt down reads the Tiltfile with the settings after `--`; tilt up's own flags before it (--stream)
# are not its, so they are dropped. Only DELETE_NAMESPACE=yes deletes.
DELETE = $(filter yes,$(DELETE_NAMESPACE))
down: ## Uninstall what the loop deployed (tilt down; stop tilt up with Ctrl-C first); same ARGS as make dev; DELETE_NAMESPACE=yes also deletes the namespace the loop may create, with all in it
	@set -- $(ARGS); while [ $$# -gt 0 ] && [ "$$1" != -- ]; do shift; done; \
	echo "tilt down $(if $(DELETE),--delete-namespaces )$$*"; \
	tilt down $(if $(DELETE),--delete-namespaces) "$$@"
	$(if $(DELETE),,@echo "make down: the namespace stays; make down DELETE_NAMESPACE=yes deletes the one the loop may create, with all in it")

cluster: ## Create or update the laptop cluster and its registry (ctlptl + kind)
	ctlptl apply -f kind-cluster.yaml

cluster-delete: ## Delete the laptop cluster and its registry
	ctlptl delete -f kind-cluster.yaml

doctor: ## Check what `tilt up` needs; prints a fix for each failure; ARGS as for make dev
	python3 scripts/doctor.py $(ARGS)

doks-check: ## Check the loop once on your DOKS cluster and registry, each step timed, in a namespace of its own it deletes; ARGS as for make dev
	python3 scripts/doks_check.py $(ARGS)

venv: ## Create or update .venv from the pinned requirements
	sh scripts/venv.sh

test: ## Run the whole test suite (creates .venv; the loop tests need Docker and the cluster ASTRID_LOOP_CONTEXT names: tests/loop/conftest.py)
	sh scripts/test.sh

test-fast: ## Run the tests that need no container engine
	sh scripts/test.sh -m "not slow"

lint: venv ## ruff, hadolint and helm lint
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/hadolint Dockerfile.api
	.venv/bin/python -c 'import helm_python as h, sys; r = h.lint("helm/astrid", strict=True); print(r); sys.exit(bool(r["errors"]))'

fmt: venv ## Format and autofix with ruff
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .

run: venv ## Serve the api on localhost:$(PORT) with reload and the API docs (/docs), no cluster needed
	ASTRID_API_DOCS=true .venv/bin/uvicorn src.api.main:app --host 127.0.0.1 --port $(PORT) --reload --reload-dir src/api

image: ## Build $(IMAGE):$(TAG) from Dockerfile.api for $(PLATFORM) (DOKS nodes are amd64)
	docker build $(PULL) -f Dockerfile.api --target production --platform $(PLATFORM) -t $(IMAGE):$(TAG) \
	  $(if $(BASE_IMAGE),--build-arg BASE_IMAGE=$(BASE_IMAGE)) \
	  --build-arg VERSION=$(APP_VERSION) \
	  --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) .

# Tags are immutable: a pushed tag names one build forever, so push refuses an existing one
# (EXISTS names the fix; STEP, the target that asked). Checked before the build, after the login.
EXISTS ?= tags are immutable: commit and push a new one
STEP   ?= push
push: ## Push $(REGISTRY)/$(IMAGE):$(TAG), refusing a tag that exists (after `doctl registry login`)
	@test -n "$(INSECURE)" || docker login $(REGISTRY_HOST) </dev/null >/dev/null 2>&1 || { \
	  echo "$(STEP): Docker's login to $(REGISTRY_HOST) is missing or expired: doctl registry login (or docker login $(REGISTRY_HOST))" >&2; exit 1; }
	@if err=$$(docker manifest inspect $(INSECURE) $(REF) 2>&1 >/dev/null); then \
	  echo "$(STEP): $(REF) already exists; $(EXISTS)" >&2; exit 1; fi; \
	case "$$err" in *"no such manifest"*) ;; *) echo "$(STEP): cannot check $(REF) (doctl registry login?): $$err" >&2; exit 1;; esac
	$(MAKE) --no-print-directory image
	docker tag $(IMAGE):$(TAG) $(REF)
	docker push $(REF)

release: ## Push $(REGISTRY)/$(IMAGE):<the chart's appVersion> once, from a clean tree, on a freshly pulled base
	@status=$$(git status --porcelain) && test -z "$$status" || { echo "release: the tree has uncommitted changes (or is no git work tree); a release is built from a commit" >&2; exit 1; }
	@$(MAKE) --no-print-directory push TAG=$(APP_VERSION) PULL=--pull STEP=release EXISTS="raise appVersion in helm/astrid/Chart.yaml"

deploy: push ## Push $(TAG), then install or upgrade the release with the digest pushed; Helm prints the chart's notes
	@digest=$$(docker image inspect --format '{{join .RepoDigests "\n"}}' $(REF) | sed -n 's|^$(REGISTRY)/$(IMAGE)@||p' | head -n 1); \
	test -n "$$digest" || { echo "deploy: Docker recorded no digest for $(REF) after the push" >&2; exit 1; }; \
	echo "deploy: $(REGISTRY)/$(IMAGE)@$$digest"; \
	helm upgrade --install $(RELEASE) ./helm/astrid $(if $(NAMESPACE),--namespace $(NAMESPACE) --create-namespace) \
	  --set api.image.repository=$(REGISTRY)/$(IMAGE) --set api.image.tag=$(TAG) --set api.image.digest=$$digest \
	  --set 'api.imagePullSecrets[0].name=$(PULL_SECRET)' --wait

# Tilt tags every dev build tilt-<hash>; on a shared registry they fill the plan's storage. Release
# (appVersion) and commit tags are kept. Deleting tags frees no space until garbage collection runs.
registry-clean: ## Delete $(IMAGE)'s tilt-* tags from the DOCR registry doctl is logged in to, keeping every other tag
	@tags=$$(doctl registry repository list-tags $(IMAGE) --format Tag --no-header) || { \
	  echo "registry-clean: doctl could not list $(IMAGE)'s tags (doctl auth init, or doctl auth switch --context <team>)" >&2; exit 1; }; \
	dev=$$(for t in $$tags; do case $$t in tilt-*) echo $$t;; esac; done); \
	kept=$$(for t in $$tags; do case $$t in tilt-*) ;; *) echo $$t;; esac; done); \
	echo "registry-clean: keeping $$(echo $$kept | wc -w) tag(s): "$$kept; \
	if [ -n "$$dev" ]; then \
	  echo "registry-clean: deleting $$(echo $$dev | wc -w) tilt-* tag(s) of $(IMAGE)"; \
	  doctl registry repository delete-tag $(IMAGE) $$dev --force; \
	fi
	@echo "registry-clean: space is freed by garbage collection, which makes the registry read-only while it runs (pushes fail):"
	@echo "  doctl registry garbage-collection start --include-untagged-manifests --force"

bench: venv ## Benchmark builds, start-up and the service (the real loop: make bench-loop); writes bench/results/
	.venv/bin/python -m bench

bench-loop: venv ## Benchmark the real loop on the current (DOKS) context, at each RTT toxiproxy can add (docs/performance.md): tilt ci warm (cold too with ARGS=--prune-build-cache), save -> served, pod replaced; ARGS go to bench.tilt_loop
	.venv/bin/python -m bench.tilt_loop $(ARGS)

lock: venv ## Re-pin requirements*.txt (with hashes) from requirements*.in
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-debug.txt requirements-debug.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

audit: venv ## Check pinned dependencies for known vulnerabilities (needs the advisory service)
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements.txt
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements-debug.txt
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements-dev.txt

.PHONY: help dev down cluster cluster-delete registry-clean bench-loop doctor doks-check venv test test-fast lint fmt run image push release deploy bench lock audit
