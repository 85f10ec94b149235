# Every target works on all modules of go.work.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

MODULE_DIRS  := $(shell go list -m -f '{{.Dir}}')
MODULE_PKGS  := $(addsuffix /...,$(shell go list -m))
STATICCHECK  := honnef.co/go/tools/cmd/staticcheck@v0.8.2
# Throwaway Postgres clusters go on tmpfs when there is one: CREATE DATABASE is
# about ten times faster there than on a VM disk.
export PGTEST_TMPDIR ?= $(shell [ -w /dev/shm ] && echo /dev/shm)
TEST_FLAGS ?= -race -count=1 -timeout 15m
BENCH_FLAGS ?= -run '^$$' -bench . -benchtime 1x -timeout 30m

.PHONY: help run test lint bench build tidy

help: ## list the targets
	@grep -hE '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-7s %s\n", $$1, $$2}'

run: ## start the local stack: embedded Kafka, throwaway Postgres and every service; Ctrl-C stops it
	@scripts/ensure-postgres
	@go build -o bin/localstack ./deploy/local/cmd/localstack
	@exec bin/localstack

test: ## run every test of every module against real Postgres and embedded Kafka
	@scripts/ensure-postgres
	go test $(TEST_FLAGS) $(MODULE_PKGS)

lint: ## gofmt check, go vet and staticcheck on every module
	@unformatted=$$(gofmt -l $(MODULE_DIRS)); \
	  if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet $(MODULE_PKGS)
	@for d in $(MODULE_DIRS); do (cd $$d && echo "staticcheck $$d" && go run $(STATICCHECK) ./...); done

bench: ## run the benchmarks; each prints key=value lines next to its physical floor
	@scripts/ensure-postgres
	go test $(BENCH_FLAGS) $(MODULE_PKGS)

build: ## build every binary into bin/
	@mkdir -p bin
	go build -o bin/ ./deploy/local/cmd/...

tidy: ## go mod tidy in every module
	@for d in $(MODULE_DIRS); do (cd $$d && go mod tidy); done
