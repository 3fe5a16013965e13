# The memory_mapper moulinette.
#   make            build the grader and the tests
#   make grade      grade student/ (or STUDENT=dir; ROW=id, TEST=suite/name,
#                   V=1 for every test's details)
#   make test       the project's own tests
#   make mutants    prove every mutant is caught and every variant passes
#   make hostile    the hostile corpus: verdicts and containment
#   make bench      time grading the reference (median of several runs)
#   make check-asan the grader under AddressSanitizer and UBSan: unit tests,
#                   end-to-end tests, a slice of the hostile corpus and of
#                   the mutants (build-asan/)
#   make fuzz       libFuzzer on config loading, the report writers and the
#                   ELF reader, FUZZ_SECONDS (default 60) each (build-fuzz/,
#                   fuzz/)

CC      ?= gcc
STUDENT ?= student
BUILD   := build
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  := -std=c17 -O2 -g $(WARN)
DEPS    := $(BUILD)/.deps-ok

GRADER_SRC  := $(filter-out graders/main.c graders/mutation_main.c graders/kit_config.c,$(wildcard graders/*.c))
GRADER_OBJ  := $(GRADER_SRC:graders/%.c=$(BUILD)/graders/%.o)
CHECK_SRC   := tests/runner.c tests/harness.c tests/procview.c tests/remote.c tests/stubs.c tests/ring_kids.c \
               tests/stall.c \
               tests/crashsite.c \
               $(wildcard tests/rows/*.c) $(wildcard tests/hidden/*.c)
CHECK_OBJ   := $(CHECK_SRC:tests/%.c=$(BUILD)/tests/%.o)
UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_OBJ    := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all grade test unit e2e intake mutants hostile bench clean deps check-asan fuzz fuzz-build container stress kit kit-test

all: $(BUILD)/moulinette $(BUILD)/tests/checker $(BUILD)/tests/driver.o

# Installs (as root) or asks for (otherwise) Criterion and libyaml.
$(DEPS): graders/ensure-deps.sh
	@mkdir -p $(BUILD)
	@graders/ensure-deps.sh
	@touch $@

deps: $(DEPS)

$(BUILD)/graders/%.o: graders/%.c graders/*.h | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags yaml-0.1 libarchive) -c $< -o $@

# The grader's version, for the reports (provenance.h): git describe at
# build time, "unknown" outside a git checkout (the student kit).
MM_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
$(BUILD)/graders/provenance.o: CFLAGS += -DMM_VERSION='"$(MM_VERSION)"'
$(BUILD)/graders/provenance.o: .git-version

.git-version: FORCE
	@echo '$(MM_VERSION)' | cmp -s - $@ || echo '$(MM_VERSION)' >$@
FORCE:

$(BUILD)/moulinette: $(GRADER_OBJ) $(BUILD)/graders/main.o
	$(CC) $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

$(BUILD)/mutation-check: $(GRADER_OBJ) $(BUILD)/graders/mutation_main.o
	$(CC) $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

# The checker (tests/remote.h) is built once and never linked with a
# submission; each submission is linked with the driver's object alone.
$(BUILD)/tests/%.o: tests/%.c tests/*.h graders/*.h | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_DEFAULT_SOURCE -c $< -o $@

$(BUILD)/tests/checker: $(CHECK_OBJ)
	$(CC) $^ -o $@ -lrt

# ROW=id and TEST=suite/name (each may list several) grade only those;
# V=1 shows every test's details; VALGRIND=1 runs the code under valgrind.
grade: all
	@$(BUILD)/moulinette $(if $(V),--verbose) $(if $(VALGRIND),--valgrind) $(foreach r,$(ROW),--row $(r)) \
	    $(foreach t,$(TEST),--test $(t)) $(STUDENT)

# Unit tests of the grader's modules, then end-to-end runs of the grader.
$(BUILD)/unit: $(UNIT_OBJ) $(GRADER_OBJ)
	$(CC) $^ -o $@ $(shell pkg-config --libs criterion yaml-0.1 libarchive) -lm

unit: $(BUILD)/unit
	$(BUILD)/unit --jobs 2

# The JSON validator of the end-to-end and load tests: the fuzz oracle's
# parser (fuzz/fuzz_util.c), so no check depends on a python3.
$(BUILD)/json-check: tests/e2e/json_check.c fuzz/fuzz_util.c fuzz/fuzz.h $(GRADER_OBJ)
	$(CC) $(CFLAGS) -D_GNU_SOURCE tests/e2e/json_check.c fuzz/fuzz_util.c $(GRADER_OBJ) -o $@ \
	    $(shell pkg-config --libs yaml-0.1 libarchive) -lm

e2e: all $(BUILD)/json-check
	tests/e2e/run.sh

# Every mutant must be caught by the rows its manifest names, and every
# correct variant must score 100 (the reference first, as the baseline).
# Four jobs on two cores: many mutants' jobs wait (blocked rings, timeouts).
MANIFESTS := reference/mutants/manifest.yaml $(wildcard reference/mutants/*/manifest.yaml)

mutants: all $(BUILD)/mutation-check
	$(BUILD)/mutation-check --jobs 4 --variants reference/variants $(MANIFESTS)

# Hostile submissions, one attack each, graded inside a pid namespace (and,
# as root, pids and memory cgroups): verdicts and containment.
hostile: all $(BUILD)/json-check
	tests/hostile/run.sh

# The grader where namespaces are forbidden (a container without
# CAP_SYS_ADMIN, Docker's seccomp profile): tests/container/run.sh.
$(BUILD)/no-unshare: tests/container/no_unshare.c
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $< -o $@

container: all $(BUILD)/json-check $(BUILD)/no-unshare
	tests/container/run.sh

# Submissions as they arrive (tests/intake/run.sh): folders, LMS exports,
# archives and every refusal graded in one batch; the archives, hostile
# ones included, written by tests/intake/mkarchive.c (libarchive).
$(BUILD)/mkarchive: tests/intake/mkarchive.c | $(DEPS)
	@mkdir -p $(BUILD)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags libarchive) $< -o $@ $(shell pkg-config --libs libarchive)

intake: all $(BUILD)/json-check $(BUILD)/mkarchive
	tests/intake/run.sh

# Load (tests/stress/run.sh): two graders at once, a batch of 500
# submissions (after make mutants: copies of its corpus), a grader killed
# mid-batch. make test runs the quick part (two graders at once, ~15 s).
.PHONY: stress-quick firstrun
stress: all $(BUILD)/json-check $(BUILD)/no-unshare
	tests/stress/run.sh all

stress-quick: all $(BUILD)/json-check $(BUILD)/no-unshare
	tests/stress/run.sh quick

# The first run in a fresh Debian root (tests/firstrun/run.sh): root and
# the network to Debian's mirror, minutes; not part of make test.
firstrun:
	tests/firstrun/run.sh

# The student kit (kit/build.sh): dist/memory_mapper-kit.tar.gz; `make
# kit-test` (tests/kit/run.sh) grades with it as a student would and checks
# that it holds no solution.
$(BUILD)/kit-config: graders/kit_config.c $(GRADER_OBJ)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags yaml-0.1 libarchive) $< $(GRADER_OBJ) -o $@ \
	    $(shell pkg-config --libs yaml-0.1 libarchive) -lm

kit: $(BUILD)/kit-config
	kit/build.sh $(BUILD)/kit-config dist/memory_mapper-kit.tar.gz

kit-test: all kit
	tests/kit/run.sh dist/memory_mapper-kit.tar.gz

# make test: every suite, in three lanes at once: the mutants, the
# hostile corpus, and the others one after another. Most of the mutants'
# and the corpus' time is spent waiting out limits, so the lanes share two
# cores (about 2.5 minutes where one after another took 5). Each suite's
# output comes in one piece as it ends (--output-sync); -k runs every
# suite even when one fails, and make test fails if any did.
TEST_OTHERS := unit e2e intake container stress-quick kit-test formats html

test: all $(BUILD)/json-check
	@$(MAKE) --no-print-directory -k -j3 --output-sync=target mutants hostile test-others

.PHONY: test-others
test-others:
	@failed=""; for t in $(TEST_OTHERS); do $(MAKE) --no-print-directory $$t || failed="$$failed $$t"; done; \
	[ -z "$$failed" ] || { echo "make test: failed:$$failed"; exit 1; }

# Each report format read back by its consumer (tests/formats/run.sh).
.PHONY: formats gradescope gradescope-test
formats: all
	tests/formats/run.sh

# The HTML class report in headless Chromium (tests/html/run.sh; installs
# chromium, about 100 MB, as root, asks for it otherwise): the page's
# numbers against the JSON report, hostile output shown as text, its
# script run under its CSP, a screenshot in build/html/.
.PHONY: html
html: all
	tests/html/run.sh

# The Gradescope autograder (gradescope/): dist/gradescope-autograder.zip,
# and its test in a fresh Debian root (root, network to Debian's mirror).
gradescope:
	gradescope/build.sh dist/gradescope-autograder.zip

gradescope-test: gradescope
	tests/gradescope/run.sh

# The bonus ring against a pipe between two processes (bench/ring_bench.c).
$(BUILD)/ring_bench: bench/ring_bench.c reference/memory_mapper.c reference/memory_mapper.h | $(DEPS)
	$(CC) -std=c17 -O2 $(WARN) -D_GNU_SOURCE -Ireference bench/ring_bench.c reference/memory_mapper.c -pthread -lrt -o $@

bench: all $(BUILD)/ring_bench $(BUILD)/mutation-check
	bench/bench.sh
	$(BUILD)/ring_bench

# ---- sanitizers ---------------------------------------------------------------
# The grader's own sources, the unit tests and the fuzz targets' replayer,
# built with ASan and UBSan into build-asan/ (a folder that ignores itself
# in git). Every report is fatal (abort) and is also written to
# build-asan/logs/, so a report in a forked child of the grader (a job's
# set-up, pid 1 of a job's namespace), whose death the grader would only
# see as a job error, still fails the run. The checker and the driver are
# built by `make` as usual: only the grader is under test here.
ASAN_BUILD    := build-asan
# fuzz/fuzz_TARGET.c: replayed here (seeds and regressions), fuzzed by `make fuzz`.
FUZZ_TARGETS  := config report elf
SAN_FLAGS     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
ASAN_CFLAGS   := -std=c17 -O1 $(WARN) $(SAN_FLAGS)
ASAN_OBJ      := $(GRADER_SRC:graders/%.c=$(ASAN_BUILD)/graders/%.o)
ASAN_UNIT_OBJ := $(UNIT_SRC:tests/%.c=$(ASAN_BUILD)/tests/%.o)
ASAN_LOGS     := $(CURDIR)/$(ASAN_BUILD)/logs
SAN_COMMON    := halt_on_error=1:abort_on_error=1:exitcode=99:disable_coredump=1:log_path=$(ASAN_LOGS)/report
SAN_ENV       := ASAN_OPTIONS=$(SAN_COMMON):detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:strict_string_checks=1 \
                 UBSAN_OPTIONS=$(SAN_COMMON):print_stacktrace=1 \
                 LSAN_OPTIONS=suppressions=$(CURDIR)/$(ASAN_BUILD)/lsan.supp:print_suppressions=0
# Known leaks of the unit tests themselves (not of the grader), one
# function name each; remove a name once its test is fixed.
#   test_score.c: two tests never free their job_result's records.
#   libcriterion.so: the unit tests' runner itself, now and then (48 bytes
#   seen once in its own code, never in ours).
ASAN_KNOWN_LEAKS := score_killed_runner_without_record_impl score_grader_timeout_without_record_impl \
                    libcriterion.so
# Attacks on what the grader itself handles: floods and bloat of output and
# reports, crashes and hangs, refused objects, missing or odd sources, a
# huge compile log, deep folders to remove, the grader's command line.
ASAN_HOSTILE  := 01-infinite-loop 07-stdout-flood 09-exit-zero 12-raise-segv 13-constructor \
                 18-criterion-symbols 25-kill-parent 31-huge-compile 32-symlink-passwd \
                 33-no-source 34-empty-source 40-ifunc-resolver 44-symver-dlsym \
                 55-deep-folders-fill 56-report-bloat 57-grader-cmdline
# The first mutants of the corpus, through mutation-check (its own code:
# manifests, patches, the comparison with the expected verdicts).
ASAN_MUTANTS  := 8

$(ASAN_BUILD)/.gitignore:
	@mkdir -p $(ASAN_BUILD)
	@echo '*' >$@

$(ASAN_BUILD)/graders/%.o: graders/%.c graders/*.h | $(DEPS) $(ASAN_BUILD)/.gitignore
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags yaml-0.1 libarchive) -c $< -o $@

$(ASAN_BUILD)/tests/%.o: tests/%.c tests/*.h graders/*.h | $(DEPS) $(ASAN_BUILD)/.gitignore
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -D_DEFAULT_SOURCE -c $< -o $@

$(ASAN_BUILD)/fuzz/%.o: fuzz/%.c fuzz/*.h graders/*.h | $(DEPS) $(ASAN_BUILD)/.gitignore
	@mkdir -p $(dir $@)
	$(CC) $(ASAN_CFLAGS) -D_GNU_SOURCE -DMM_SOURCE_DIR='"$(CURDIR)"' $(shell pkg-config --cflags yaml-0.1 libarchive) -c $< -o $@

$(ASAN_BUILD)/moulinette: $(ASAN_OBJ) $(ASAN_BUILD)/graders/main.o
	$(CC) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

$(ASAN_BUILD)/mutation-check: $(ASAN_OBJ) $(ASAN_BUILD)/graders/mutation_main.o
	$(CC) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

$(ASAN_BUILD)/unit: $(ASAN_UNIT_OBJ) $(ASAN_OBJ)
	$(CC) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs criterion yaml-0.1 libarchive) -lm

# The fuzz targets with a main() that runs them once per file: the seed
# corpus and every crash the fuzzer ever found, without clang.
$(ASAN_BUILD)/fuzz-%: $(ASAN_BUILD)/fuzz/fuzz_%.o $(ASAN_BUILD)/fuzz/replay.o $(ASAN_BUILD)/fuzz/fuzz_util.o $(ASAN_OBJ)
	$(CC) $(SAN_FLAGS) $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

check-asan: all $(BUILD)/json-check $(ASAN_BUILD)/moulinette $(ASAN_BUILD)/mutation-check $(ASAN_BUILD)/unit \
            $(FUZZ_TARGETS:%=$(ASAN_BUILD)/fuzz-%)
	@rm -rf $(ASAN_LOGS) && mkdir -p $(ASAN_LOGS)
	@printf 'leak:%s\n' $(ASAN_KNOWN_LEAKS) >$(ASAN_BUILD)/lsan.supp
	@awk -v dir=$(CURDIR)/reference/mutants -v n=$(ASAN_MUTANTS) \
	    '/^mutants:/ { on = 1; print; next } on && /^  - id:/ && ++k > n { exit } \
	     on && /^ *patch:/ { sub(/patch: */, "patch: " dir "/") } on' \
	    reference/mutants/manifest.yaml >$(ASAN_BUILD)/mutants.yaml
	@failed=""; \
	step() { name=$$1; shift; echo "== check-asan: $$name"; \
	         env $(SAN_ENV) MOULINETTE=$(ASAN_BUILD)/moulinette "$$@" || failed="$$failed $$name"; }; \
	step unit $(ASAN_BUILD)/unit --jobs 2; \
	for t in $(FUZZ_TARGETS); do \
	    step fuzz-$$t-replay $(ASAN_BUILD)/fuzz-$$t fuzz/corpus/$$t fuzz/regress/$$t; done; \
	step e2e tests/e2e/run.sh; \
	step hostile tests/hostile/run.sh $(ASAN_HOSTILE); \
	step mutants $(ASAN_BUILD)/mutation-check --jobs 2 $(ASAN_BUILD)/mutants.yaml; \
	reports=$$(ls $(ASAN_LOGS) | wc -l); \
	if [ "$$reports" -gt 0 ]; then cat $(ASAN_LOGS)/*; fi; \
	echo "check-asan: $$reports sanitizer report(s) (build-asan/logs/); failed steps:$${failed:- none}"; \
	[ "$$reports" -eq 0 ] && [ -z "$$failed" ]

# ---- fuzzing ------------------------------------------------------------------
# libFuzzer (clang) with ASan and UBSan; fuzz/run.sh runs one target for
# FUZZ_SECONDS, keeps what it found in build-fuzz/ and copies each crash to
# fuzz/regress/<target>/, where `make check-asan` and every later `make
# fuzz` replay it.
FUZZ_BUILD    := build-fuzz
FUZZ_SECONDS  ?= 60
CLANG         ?= clang
FUZZ_FLAGS    := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g
FUZZ_CFLAGS   := -std=c17 -O1 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link
FUZZ_OBJ      := $(GRADER_SRC:graders/%.c=$(FUZZ_BUILD)/graders/%.o)
FUZZ_DEPS     := $(FUZZ_BUILD)/.clang-ok

# Installs (as root) or asks for (otherwise) clang and libFuzzer.
$(FUZZ_DEPS): fuzz/ensure-clang.sh
	@mkdir -p $(FUZZ_BUILD)
	@echo '*' >$(FUZZ_BUILD)/.gitignore
	@CLANG=$(CLANG) fuzz/ensure-clang.sh
	@touch $@

$(FUZZ_BUILD)/graders/%.o: graders/%.c graders/*.h | $(DEPS) $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags yaml-0.1 libarchive) -c $< -o $@

$(FUZZ_BUILD)/fuzz/%.o: fuzz/%.c fuzz/*.h graders/*.h | $(DEPS) $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) $(FUZZ_CFLAGS) -D_GNU_SOURCE -DMM_SOURCE_DIR='"$(CURDIR)"' $(shell pkg-config --cflags yaml-0.1 libarchive) -c $< -o $@

# The oracles (JSON and UTF-8 checkers) are not under test: without
# coverage instrumentation their branches neither slow the runs down nor
# steer the fuzzer.
$(FUZZ_BUILD)/fuzz/fuzz_util.o: fuzz/fuzz_util.c fuzz/*.h graders/*.h | $(DEPS) $(FUZZ_DEPS)
	@mkdir -p $(dir $@)
	$(CLANG) -std=c17 -O1 $(WARN) $(FUZZ_FLAGS) -D_GNU_SOURCE -c $< -o $@

$(FUZZ_BUILD)/fuzz-%: $(FUZZ_BUILD)/fuzz/fuzz_%.o $(FUZZ_BUILD)/fuzz/fuzz_util.o $(FUZZ_OBJ)
	$(CLANG) $(FUZZ_FLAGS) -fsanitize=fuzzer $^ -o $@ $(shell pkg-config --libs yaml-0.1 libarchive) -lm

# Objects reached through pattern rules are kept (not intermediate files).
FUZZ_SRC := $(wildcard fuzz/*.c)
.SECONDARY: $(FUZZ_SRC:fuzz/%.c=$(ASAN_BUILD)/fuzz/%.o) $(FUZZ_SRC:fuzz/%.c=$(FUZZ_BUILD)/fuzz/%.o) $(FUZZ_OBJ)

fuzz-build: $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz-%)

fuzz: fuzz-build
	@rm -f $(FUZZ_BUILD)/fuzz-summary.txt
	@failed=""; for t in $(FUZZ_TARGETS); do \
	    fuzz/run.sh $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) || failed="$$failed $$t"; done; \
	[ -z "$$failed" ] || { echo "fuzz: failed:$$failed"; exit 1; }

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
