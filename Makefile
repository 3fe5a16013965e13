# The memory_mapper moulinette.
#   make            build the grader and the tests
#   make grade      grade student/ (or STUDENT=dir)
#   make test       the project's own tests
#   make mutants    prove every mutant is caught and every variant passes
#   make hostile    the hostile corpus: verdicts and containment
#   make bench      time grading the reference (median of several runs)

CC      ?= gcc
STUDENT ?= student
BUILD   := build
WARN    := -Wall -Wextra -Werror -Wstrict-prototypes -Wmissing-prototypes
CFLAGS  := -std=c17 -O2 -g $(WARN)
DEPS    := $(BUILD)/.deps-ok

GRADER_SRC  := $(filter-out graders/main.c graders/mutation_main.c,$(wildcard graders/*.c))
GRADER_OBJ  := $(GRADER_SRC:graders/%.c=$(BUILD)/graders/%.o)
CHECK_SRC   := tests/runner.c tests/harness.c tests/procview.c tests/remote.c tests/stubs.c tests/ring_kids.c \
               $(wildcard tests/rows/*.c)
CHECK_OBJ   := $(CHECK_SRC:tests/%.c=$(BUILD)/tests/%.o)
UNIT_SRC    := $(wildcard tests/unit/*.c)
UNIT_OBJ    := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%.o)

.PHONY: all grade test unit e2e mutants hostile bench clean deps

all: $(BUILD)/moulinette $(BUILD)/tests/checker $(BUILD)/tests/driver.o

# Installs (as root) or asks for (otherwise) Criterion and libyaml.
$(DEPS): graders/ensure-deps.sh
	@mkdir -p $(BUILD)
	@graders/ensure-deps.sh
	@touch $@

deps: $(DEPS)

$(BUILD)/graders/%.o: graders/%.c graders/*.h | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_GNU_SOURCE $(shell pkg-config --cflags yaml-0.1) -c $< -o $@

$(BUILD)/moulinette: $(GRADER_OBJ) $(BUILD)/graders/main.o
	$(CC) $^ -o $@ $(shell pkg-config --libs yaml-0.1) -lm

$(BUILD)/mutation-check: $(GRADER_OBJ) $(BUILD)/graders/mutation_main.o
	$(CC) $^ -o $@ $(shell pkg-config --libs yaml-0.1) -lm

# The checker (tests/remote.h) is built once and never linked with a
# submission; each submission is linked with the driver's object alone.
$(BUILD)/tests/%.o: tests/%.c tests/*.h graders/*.h | $(DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -D_DEFAULT_SOURCE -c $< -o $@

$(BUILD)/tests/checker: $(CHECK_OBJ)
	$(CC) $^ -o $@ -lrt

grade: all
	@$(BUILD)/moulinette $(STUDENT)

# Unit tests of the grader's modules, then end-to-end runs of the grader.
$(BUILD)/unit: $(UNIT_OBJ) $(GRADER_OBJ)
	$(CC) $^ -o $@ $(shell pkg-config --libs criterion yaml-0.1) -lm

unit: $(BUILD)/unit
	$(BUILD)/unit --jobs 2

e2e: all
	tests/e2e/run.sh

# Every mutant must be caught by the rows its manifest names, and every
# correct variant must score 100 (the reference first, as the baseline).
# Four jobs on two cores: many mutants' jobs wait (blocked rings, timeouts).
MANIFESTS := reference/mutants/manifest.yaml $(wildcard reference/mutants/*/manifest.yaml)

mutants: all $(BUILD)/mutation-check
	$(BUILD)/mutation-check --jobs 4 --variants reference/variants $(MANIFESTS)

# Hostile submissions, one attack each, graded inside a pid namespace (and,
# as root, pids and memory cgroups): verdicts and containment.
hostile: all
	tests/hostile/run.sh

test: unit e2e mutants hostile

# The bonus ring against a pipe between two processes (bench/ring_bench.c).
$(BUILD)/ring_bench: bench/ring_bench.c reference/memory_mapper.c reference/memory_mapper.h | $(DEPS)
	$(CC) -std=c17 -O2 $(WARN) -D_GNU_SOURCE -Ireference bench/ring_bench.c reference/memory_mapper.c -pthread -lrt -o $@

bench: all $(BUILD)/ring_bench
	bench/bench.sh
	$(BUILD)/ring_bench

clean:
	rm -rf $(BUILD)
