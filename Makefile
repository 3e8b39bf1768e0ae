# The two commands: `make run` and `make check`. Both install what is missing
# (Debian packages), build, and build the demo VM images first.

BUILD ?= build
BUILD_SAN ?= build-san
IMAGES ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tinct/images
MESON_ARGS ?=
BUILD_FUZZ ?= build-fuzz
FUZZ_SECONDS ?= 30
FUZZ_TARGETS ?= console-filter console-ring title memfd-server argv vm-def config

.PHONY: install all deps build build-san build-fuzz images check run fuzz bench format format-check clean

all: build

deps:
	@scripts/install-deps

build: deps
	@[ -f $(BUILD)/build.ninja ] || meson setup $(BUILD) $(MESON_ARGS)
	ninja -C $(BUILD)

# AddressSanitizer + UndefinedBehaviorSanitizer build of the same tree.
build-san: deps
	@[ -f $(BUILD_SAN)/build.ninja ] || meson setup $(BUILD_SAN) $(MESON_ARGS) \
		-Dbuildtype=debug -Db_sanitize=address,undefined -Db_lundef=false
	ninja -C $(BUILD_SAN)

# libFuzzer harnesses (tests/fuzz), clang with ASan and UBSan; every object
# carries coverage instrumentation. make check only replays their corpora.
build-fuzz: deps
	@[ -f $(BUILD_FUZZ)/build.ninja ] || CC=clang meson setup $(BUILD_FUZZ) $(MESON_ARGS) \
		-Dbuildtype=debugoptimized -Dfuzzing=true -Db_sanitize=address,undefined \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
	ninja -C $(BUILD_FUZZ) $(addprefix tests/fuzz/fuzz-,$(FUZZ_TARGETS))

images: deps
	@if [ -x vmm/images/build.sh ]; then vmm/images/build.sh "$(IMAGES)"; fi

check: build build-san images format-check
	TINCT_IMAGES="$(IMAGES)" scripts/run-tests $(BUILD) $(BUILD_SAN)

# The tree stays clang-format clean (.clang-format); `make format` fixes it.
format-check: deps
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h')

run: build images
	TINCT_IMAGES="$(IMAGES)" scripts/run-session $(BUILD)

# Each harness for FUZZ_SECONDS; reports executions and coverage.
fuzz: build-fuzz
	scripts/run-fuzz $(BUILD_FUZZ) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Benchmarks against a peer, side by side (not tests: machine-dependent).
# BENCH_ARGS: --rounds N --seconds S --workloads idle,anim1,... --tinct BIN
bench: build images
	tests/bench/launch.py $(BUILD)
	tests/bench/placeholder.sh $(BUILD)
	tests/bench/compositor.py $(BUILD) $(BENCH_ARGS)
	TINCT_IMAGES="$(IMAGES)" tests/bench/first-window.sh $(BUILD)

# tinct, tinctctl, tinct-vm, the man pages and the session file under PREFIX
# (/usr/local by default): `man tinct` works afterwards.
PREFIX ?= /usr/local
install: build
	meson configure $(BUILD) -Dprefix=$(PREFIX) >/dev/null
	meson install -C $(BUILD)

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(BUILD_SAN) $(BUILD_FUZZ)
