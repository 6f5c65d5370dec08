# RingCentral OAuth conformance harness.
#
# `make` lists the targets. The two commands a fresh machine needs:
#   make conformance   the suite against the embedded mock, with reports in reports/
#   make test          gofmt, vet, staticcheck, unit tests with -race, short fuzz runs, then the suite (strict)

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO          ?= go
ENV         ?= mock
TAGS        ?=
CONCURRENCY ?=
SEED        ?=
STRICT      ?=
FUZZTIME    ?= 3s
ADDR        ?= 127.0.0.1:8910
MOCKFLAGS   ?=
BENCHTIME   ?= 3s

PKGS := ./...

# The HTML report of a `make conformance` run: reports/report-mock.html for the mock, the profile's own
# folder for any other target.
REPORT = $(if $(filter mock,$(ENV)),reports/report-mock.html,reports/$(ENV)/report-$(ENV).html)
# Fuzz targets as package:target; `make fuzz-short` runs each for FUZZTIME.
FUZZ_TARGETS := ./rcmock:FuzzParseFormBody ./rcmock:FuzzParseBasic ./rcmock:FuzzJWTAssertion ./rcmock:FuzzRedirectURI \
	./driver:FuzzDecodeAnswer ./driver:FuzzRedactKnownSecret

# Run options reach `go test` through the environment (see README, "Running the suite").
SUITE_ENV = OAUTH_ENV='$(ENV)' $(if $(OAUTH_ISSUER),OAUTH_ISSUER='$(OAUTH_ISSUER)') CONFORMANCE_TAGS='$(TAGS)' CONFORMANCE_CONCURRENCY='$(CONCURRENCY)' CONFORMANCE_SEED='$(SEED)' CONFORMANCE_STRICT='$(STRICT)'

.PHONY: help
help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-13s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "  variables: ENV=$(ENV) TAGS='$(TAGS)' CONCURRENCY=$(or $(CONCURRENCY),auto) SEED=$(SEED) STRICT=$(STRICT) ADDR=$(ADDR)"

.PHONY: test
test: lint unit fuzz-short suite ## gofmt, vet, staticcheck, -race unit tests (the godog CLI among them), short fuzzing, the strict suite

.PHONY: fmt-check
fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go' -not -path './node_modules/*')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: vet
vet: ## go vet
	$(GO) vet $(PKGS)

.PHONY: unit
unit: ## unit tests of every package with the race detector (the suite itself runs in `make suite`)
	$(GO) test -race -count=1 -skip '^TestFeatures' $(PKGS)

.PHONY: fuzz-short
fuzz-short: ## a short run of every fuzz target (FUZZTIME each)
	@for pt in $(FUZZ_TARGETS); do \
		pkg=$${pt%%:*}; t=$${pt#*:}; \
		echo "fuzz $$pkg $$t ($(FUZZTIME))"; \
		$(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg >/dev/null || { $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; exit 1; }; \
	done

.PHONY: suite
suite: oidc-provider ## the strict suite on the embedded mock, then against cmd/rcmock -introspection (local profile), the sandbox path, node-oidc-provider (rfc dialect) and the mock's login page (browser sign-in)
	$(SUITE_ENV) $(GO) test -race -count=1 -run '^TestFeatures$$' -v . 2>&1 | tee reports/console.txt | grep -v '^\(=== \(RUN\|PAUSE\|CONT\)\|    --- PASS\)'
	CONFORMANCE_TAGS='$(TAGS)' CONFORMANCE_SEED='$(SEED)' $(GO) test -race -count=1 -run '^TestFeatures(StandaloneMock|SandboxPath)$$' .
	CONFORMANCE_SEED='$(SEED)' $(GO) test -count=1 -run '^TestFeatures(OIDCProvider|MockSignIn)$$' .

.PHONY: oidc-provider
oidc-provider: ## install node-oidc-provider (npm ci in oidc/provider, pinned by its package-lock) when Node.js is there
	@if command -v npm >/dev/null; then npm ci --prefix oidc/provider --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the node-oidc-provider run will be skipped (CI installs Node.js)"; fi

.PHONY: conformance
# The summary's "The report:" line is moved to the end of the console, where a reader looks for it.
conformance: ## the suite against ENV=<profile> (mock, local, devtest, production, rfc with OAUTH_ISSUER=...) with reports in reports/; the last line names the HTML report
	@rm -f $(REPORT)
	@status=0; $(SUITE_ENV) $(GO) test -count=1 -run '^TestFeatures$$' -v . 2>&1 | tee reports/console.txt | grep -v '^\(=== \(RUN\|PAUSE\|CONT\)\|    --- PASS\|The report: \)' || status=$$?; \
	if [ -f $(REPORT) ]; then echo "The report: $(CURDIR)/$(REPORT)"; fi; exit $$status

.PHONY: docs
docs: ## the living documentation in reports/docs/ (HTML and Markdown): every feature with its latest results per target, the vocabulary, the deviations
	$(GO) run ./cmd/rcdocs -features features -reports reports -baselines baselines -out reports/docs

.PHONY: chromium
chromium: ## install Debian's chromium, which the browser tests of the reports drive (apt-get, as root or with sudo)
	@if command -v chromium >/dev/null; then echo "chromium is installed: $$(command -v chromium)"; else \
		sudo=$$([ "$$(id -u)" -eq 0 ] || echo sudo); $$sudo apt-get update -qq && $$sudo apt-get install -y -qq chromium; fi

.PHONY: sdk-test
sdk-test: ## the official JavaScript SDK (npm ci in sdk/js) and replays of the Python and Go SDKs against the mock
	npm ci --prefix sdk/js --no-audit --no-fund --loglevel=error
	RCMOCK_SDK_TESTS=required $(GO) test -count=1 -run 'TestJavaScriptSDK|SDKReplay' -v ./rcmock | grep -E '^(---|ok|FAIL|\s+(not )?ok )'

.PHONY: mock
mock: ## run the standalone mock on ADDR (MOCKFLAGS: -rate-limit, -fixture file, -session-limit-mode reject, ...)
	$(GO) run ./cmd/rcmock -addr $(ADDR) $(MOCKFLAGS)

.PHONY: bench
bench: ## benchmarks, one package at a time so they do not compete for the cores: the whole suite per scenario, token-endpoint throughput and latency, memory over a million tokens, the mock under load
	$(GO) test -p 1 -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) . ./rcmock ./openapi ./cmd/rcmock

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
ACTIONLINT  := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

.PHONY: lint
lint: fmt-check vet ## gofmt, vet, staticcheck and actionlint on the GitHub workflows (pinned, fetched through the Go module proxy)
	$(GO) run $(STATICCHECK) $(PKGS)
	$(GO) run $(ACTIONLINT) -shellcheck= -pyflakes= .github/workflows/*.yml

.PHONY: plan
plan: ## what a nightly run costs: the @sandbox-safe plan for production with 1 and 3 test users (goals 45m and 15m)
	RC_CLEANUP=none $(GO) run ./cmd/harness plan -env production -all -users 1 -goal 45m
	RC_CLEANUP=none $(GO) run ./cmd/harness plan -env production -all -users 3 -goal 15m

.PHONY: drift
drift: ## compare the latest run against the mock with the latest run against a real target (reports/drift.json)
	$(GO) run ./cmd/harness drift

.PHONY: godog
godog: ## run the same suite through the godog CLI (`godog run` from the root; pinned with `go tool`)
	$(SUITE_ENV) $(GO) tool godog run --strict --random --concurrency $(or $(CONCURRENCY),4) $(if $(TAGS),--tags '$(TAGS)')

.PHONY: clean
clean: ## remove generated reports
	find reports -mindepth 1 -not -name .gitkeep -delete
