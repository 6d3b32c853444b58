# Thin wrapper around meson: the two commands a newcomer types are `make demo`
# and `make test`; both install whatever Debian packages are missing first.

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
# `make fuzz`: seconds per target, which targets (default: all), and whether
# inputs that reach new coverage go back into tests/fuzz/corpus/ (1) or not.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= $(patsubst tests/fuzz/fuzz_%.c,%,$(filter-out tests/fuzz/fuzz_world.c,$(sort $(wildcard tests/fuzz/fuzz_*.c))))
FUZZ_MERGE   ?= 0
TSAN_BUILD ?= build-tsan
WERROR     ?= true
MESON_OPTS ?=

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# In CI nothing may be skipped silently: the Python bindings (and so their
# pytest suite) become a configure error when SWIG or python3-dev is missing.
ifneq ($(filter true 1 yes,$(CI)),)
PYTHON_OPT = -Dpython=enabled
endif

# Everything the build, the tests (Criterion, a throwaway PostgreSQL server,
# pytest), the bindings (SWIG), the sanitizer pass and the agent desktop example
# (libmicrohttpd; its browser test: headless Chromium + Selenium) need, from Debian.
DEB_PACKAGES = build-essential meson ninja-build pkg-config \
	libsqlite3-dev libpq-dev libjansson-dev libssl-dev uuid-dev \
	libcriterion-dev swig python3 python3-dev python3-pytest \
	postgresql sqlite3 binutils valgrind abigail-tools \
	python3-mesonpy python3-venv mypy \
	gnuplot-nox fonts-wqy-microhei libmicrohttpd-dev \
	chromium chromium-driver python3-selenium

# Only `make fuzz` needs these (clang and its libFuzzer runtime, about 100 MB
# more): installed when it runs, so `make test` and CI do not pay for them.
FUZZ_PACKAGES = clang libclang-rt-dev

.PHONY: all deps fuzz-deps build demo test test-asan valgrind fuzz test-tsan bench abi-baseline clean

all: build

# $(call install_missing,PACKAGES): apt-get install those not installed yet.
define install_missing
	@missing=$$(for p in $(1); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -n "$$missing" ]; then \
		echo "make $@: installing missing Debian packages:" $$missing; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PACKAGES))

fuzz-deps:
	$(call install_missing,$(FUZZ_PACKAGES))

$(BUILD)/build.ninja:
	meson setup $(BUILD) -Dwerror=$(WERROR) $(PYTHON_OPT) $(MESON_OPTS)

build: deps $(BUILD)/build.ninja
	meson compile -C $(BUILD)

# A day at a 95598 service centre (docs/demo.md): 100,000 customers on a scratch
# SQLite file, the summary on the terminal, charts and index.html in
# $(DEMO_OUT).  DEMO_ARGS adds options: DEMO_ARGS='--customers 20000 --seed 7',
# DEMO_ARGS='--store postgresql://localhost/demo' (an empty database).
DEMO_OUT  ?= $(BUILD)/demo-report
DEMO_ARGS ?=
demo: build
	$(BUILD)/examples/demo/demo --out $(DEMO_OUT) --data data $(DEMO_ARGS)

$(ASAN_BUILD)/build.ninja:
	meson setup $(ASAN_BUILD) -Dwerror=$(WERROR) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dpython=disabled $(MESON_OPTS)

# ThreadSanitizer: only the multi-threaded tests (suites acd-threads,
# outbound-threads (the dialler's switch and store threads) and
# desktop-threads: the desktop's polling, API and timer threads), so only
# their targets are built; the ACD stress test takes fewer calls there (TSan
# runs it 10-30x slower) but the same four threads and the same checks.
$(TSAN_BUILD)/build.ninja:
	meson setup $(TSAN_BUILD) -Dwerror=$(WERROR) -Db_sanitize=thread \
		-Db_lundef=false -Dpython=disabled $(MESON_OPTS)

TSAN_TARGETS = tests/acd/stress_acd examples/desktop/desktop examples/desktop/desktop_load_client \
	tests/outbound/threads_dialler
ACD_STRESS_CALLS_ASAN ?= 200000
ACD_STRESS_CALLS_TSAN ?= 50000

# The whole suite, then once more under AddressSanitizer + UndefinedBehaviorSanitizer,
# then the threaded tests under ThreadSanitizer.
test: build $(ASAN_BUILD)/build.ninja $(TSAN_BUILD)/build.ninja
	meson test -C $(BUILD) --print-errorlogs
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	PCRM_ACD_STRESS_CALLS=$(ACD_STRESS_CALLS_ASAN) \
		meson test -C $(ASAN_BUILD) --print-errorlogs --no-suite slow
	$(MAKE) --no-print-directory test-tsan

test-asan: deps $(ASAN_BUILD)/build.ninja
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	PCRM_ACD_STRESS_CALLS=$(ACD_STRESS_CALLS_ASAN) \
		meson test -C $(ASAN_BUILD) --print-errorlogs

# Every Criterion test program of the normal build under valgrind memcheck
# (tests/valgrind/run.sh): no definite leak, no invalid read or write, no use
# of uninitialised memory.  SQLite-backed and store-less tests by default;
# VALGRIND_FILTER='*' adds the PostgreSQL variants (slow).
VALGRIND_FILTER ?= !(*_pg/*)
valgrind: build
	tests/valgrind/run.sh $(BUILD) '$(VALGRIND_FILTER)'

$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzz=true -Dwerror=$(WERROR) \
		-Db_sanitize=address,undefined -Db_lundef=false -Dpython=disabled $(MESON_OPTS)

# Every fuzz target (or FUZZ_TARGETS) under libFuzzer + ASan + UBSan for FUZZ_SECONDS
# each, on a scratch copy of its corpus (FUZZ_MERGE=1 merges new inputs back).  Only
# the targets are built: the rest of the suite is `make test`'s.
fuzz: deps fuzz-deps $(FUZZ_BUILD)/build.ninja
	meson compile -C $(FUZZ_BUILD) $(addprefix tests/fuzz/fuzz_,$(FUZZ_TARGETS))
	tests/fuzz/run_fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_MERGE) $(FUZZ_TARGETS)

test-tsan: deps $(TSAN_BUILD)/build.ninja
	meson compile -C $(TSAN_BUILD) $(TSAN_TARGETS)
	TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
	PCRM_ACD_STRESS_CALLS=$(ACD_STRESS_CALLS_TSAN) \
		meson test -C $(TSAN_BUILD) --no-rebuild --print-errorlogs --suite acd-threads --suite desktop-threads --suite outbound-threads

bench: build
	meson test -C $(BUILD) --benchmark --verbose

# Takes the ABI baseline (abi/libpowercrm.abi) from the normal build, on
# purpose: at a release, or after an intended break (docs/abi.md).  The abi
# test (`make test`) compares the library against it.
abi-baseline: build
	tests/abi/abi-baseline.sh $(BUILD)/libpowercrm.so include/powercrm abi/libpowercrm.abi

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(TSAN_BUILD) $(FUZZ_BUILD)
