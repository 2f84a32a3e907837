# The two commands a newcomer runs: `make demo` and `make test`. Both install what is missing.
SHELL := /bin/bash
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 30
JOBS ?= $(shell nproc)

.PHONY: all deps build demo test test-unit test-asan fuzz lint format bench clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)

demo: build
	@scripts/run-demo $(BUILD)

# The whole suite: unit and peer tests, again under ASan+UBSan, then every fuzz target briefly.
test: test-unit test-asan fuzz

test-unit: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCASCADE_SANITIZE=ON >/dev/null
	@ninja -C $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS) -LE 'peer|demo'

fuzz: deps
	@CC=clang-14 CXX=clang++-14 cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCASCADE_FUZZ=ON >/dev/null
	@ninja -C $(FUZZ_BUILD) -j $(JOBS)
	@scripts/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

lint: deps
	@scripts/lint $(BUILD)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format-14 -i

# Peer comparisons (ratios against pefile and osslsigncode), then the core primitives.
bench: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCASCADE_BENCH=ON >/dev/null
	@ninja -C $(BUILD) -j $(JOBS)
	@bench/run-all $(BUILD)
	@$(BUILD)/bench/core_bench --benchmark_min_time=0.3

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
