# astrid-api: every target is a thin wrapper over a documented command (see README.md).
.DEFAULT_GOAL := help
SHELL := /bin/bash

IMAGE      ?= astrid-api
REGISTRY   ?= registry.digitalocean.com/astrid
TAG        ?= $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo dev)
RELEASE    ?= astrid
NAMESPACE  ?= default
PORT       ?= 8080
PLATFORM   ?= linux/amd64
# The pull secret DOKS creates for the registry: registry-<registry name>.
PULL_SECRET = registry-$(notdir $(REGISTRY))
# The release version, and the image `helm install astrid ./helm/astrid` pulls by default.
APP_VERSION = $(shell awk '/^appVersion:/ {gsub(/"/, "", $$2); print $$2}' helm/astrid/Chart.yaml)
RELEASE_REF = $(REGISTRY)/$(IMAGE):$(APP_VERSION)
REGISTRY_HOST = $(firstword $(subst /, ,$(REGISTRY)))
# `docker manifest` reaches a plain-HTTP registry only so: one on this machine (a laptop's or CI's)
# is detected; set INSECURE=--insecure for another.
INSECURE ?= $(if $(filter localhost:% 127.0.0.1:%,$(REGISTRY_HOST)),--insecure)
PIP_COMPILE = .venv/bin/pip-compile --quiet --generate-hashes --strip-extras --allow-unsafe \
              --no-emit-index-url --no-emit-find-links

help: ## List the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-15s %s\n", $$1, $$2}'

dev: ## Run the Tilt loop (creates the laptop cluster when there is none); ARGS go to tilt up
	bash scripts/dev.sh $(ARGS)

down: ## Uninstall what the loop deployed (tilt down; stop tilt up with Ctrl-C); same ARGS as make dev
	tilt down $(ARGS)

cluster: ## Create or update the laptop cluster and its registry (ctlptl + kind)
	ctlptl apply -f kind-cluster.yaml

cluster-delete: ## Delete the laptop cluster and its registry
	ctlptl delete -f kind-cluster.yaml

ci-cluster: ## Start CI's own cluster (Linux, root): real Kubernetes, Tilt, Helm built from source
	bash .ci/cluster.sh up
	@echo 'next: eval "$$(bash .ci/cluster.sh env)"; tilt ci'

ci-cluster-down: ## Stop CI's cluster and remove its state
	bash .ci/cluster.sh down

doctor: ## Check what `tilt up` needs; prints a fix for each failure; ARGS as for make dev
	python3 scripts/doctor.py $(ARGS)

venv: ## Create or update .venv from the pinned requirements
	sh scripts/venv.sh

test: ## Run the whole test suite (creates .venv; the slow tests need Docker and the CI cluster: make ci-cluster)
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

run: venv ## Serve the api on localhost:$(PORT) with reload, no cluster needed
	.venv/bin/uvicorn src.api.main:app --host 127.0.0.1 --port $(PORT) --reload --reload-dir src/api

image: ## Build $(IMAGE):$(TAG) from Dockerfile.api for $(PLATFORM) (DOKS nodes are amd64)
	docker build -f Dockerfile.api --platform $(PLATFORM) -t $(IMAGE):$(TAG) \
	  --build-arg VERSION=$(APP_VERSION) \
	  --build-arg REVISION=$$(git rev-parse HEAD 2>/dev/null || echo unknown) .

push: image ## Push $(REGISTRY)/$(IMAGE):$(TAG) (after `doctl registry login`)
	docker tag $(IMAGE):$(TAG) $(REGISTRY)/$(IMAGE):$(TAG)
	docker push $(REGISTRY)/$(IMAGE):$(TAG)

release: ## Push $(REGISTRY)/$(IMAGE):<the chart's appVersion> once, from a clean tree: what `helm install` pulls
	@status=$$(git status --porcelain) && test -z "$$status" || { echo "release: the tree has uncommitted changes (or is no git work tree); a release is built from a commit" >&2; exit 1; }
	@test -n "$(INSECURE)" || docker login $(REGISTRY_HOST) </dev/null >/dev/null 2>&1 || { \
	  echo "release: Docker's login to $(REGISTRY_HOST) is missing or expired: doctl registry login (or docker login $(REGISTRY_HOST))" >&2; exit 1; }
	@if err=$$(docker manifest inspect $(INSECURE) $(RELEASE_REF) 2>&1 >/dev/null); then \
	  echo "release: $(RELEASE_REF) already exists; raise appVersion in helm/astrid/Chart.yaml" >&2; exit 1; fi; \
	case "$$err" in *"no such manifest"*) ;; *) echo "release: cannot check $(RELEASE_REF) (doctl registry login?): $$err" >&2; exit 1;; esac
	$(MAKE) --no-print-directory push TAG=$(APP_VERSION)

deploy: ## Install or upgrade the release with the image tag $(TAG); Helm prints the chart's notes (port-forward, curl)
	helm upgrade --install $(RELEASE) ./helm/astrid --namespace $(NAMESPACE) --create-namespace \
	  --set api.image.repository=$(REGISTRY)/$(IMAGE) --set api.image.tag=$(TAG) \
	  --set 'api.imagePullSecrets[0].name=$(PULL_SECRET)' --wait

bench: venv ## Benchmark builds, start-up and the service (the real loop: make bench-loop); writes bench/results/
	.venv/bin/python -m bench

bench-loop: venv ## Benchmark the real loop on the CI cluster (make ci-cluster first): tilt ci cold/warm, save -> served
	eval "$$(bash .ci/cluster.sh env)" && .venv/bin/python -m bench.tilt_loop

lock: venv ## Re-pin requirements*.txt (with hashes) from requirements*.in
	$(PIP_COMPILE) -o requirements.txt requirements.in
	$(PIP_COMPILE) -o requirements-dev.txt requirements-dev.in

audit: venv ## Check pinned dependencies for known vulnerabilities (needs the advisory service)
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements.txt
	.venv/bin/pip-audit --require-hashes --disable-pip -r requirements-dev.txt

.PHONY: help dev down cluster cluster-delete ci-cluster ci-cluster-down bench-loop doctor venv test test-fast lint fmt run image push release deploy bench lock audit
