# Thin wrapper around CMake so that the README's set-up is two commands.
#   make scan   install dependencies, build, scan this machine's loopback
#   make check  install dependencies, build with sanitizers, run every test
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD ?= build
CHECK_BUILD ?= build-check
PREFIX ?= /usr/local

.PHONY: all setup build scan check install clean bench fuzz

all: build

setup:
	@./scripts/setup

build: setup
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=$(PREFIX) >/dev/null
	@cmake --build $(BUILD) -j $(JOBS)

scan: build
	./$(BUILD)/portscout 127.0.0.1

check:
	@./scripts/setup check
	@cmake -S . -B $(CHECK_BUILD) -DCMAKE_BUILD_TYPE=Debug -DPORTSCOUT_WERROR=ON -DPORTSCOUT_SANITIZE=ON >/dev/null
	@cmake --build $(CHECK_BUILD) -j $(JOBS)
	@cd $(CHECK_BUILD) && ctest --output-on-failure -j 1

install: build
	@cmake --install $(BUILD)

fuzz:
	@./scripts/setup check
	@CC=clang cmake -S . -B build-fuzz -DPORTSCOUT_FUZZ=ON >/dev/null
	@cmake --build build-fuzz -j $(JOBS)

# The quick SYN targets by default: nmap needs 22 minutes a round on the
# all-dropped host (TARGETS="closed drop mixed" bench/syn.sh for all).
bench: build
	@./scripts/setup check
	@./bench/connect.sh
	@TARGETS="$${TARGETS:-closed mixed}" ./bench/syn.sh

clean:
	rm -rf $(BUILD) $(CHECK_BUILD) build-fuzz
