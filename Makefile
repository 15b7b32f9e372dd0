# Cohort: the three commands. See README.md.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
DATA_DIR ?= ./cohort-data
LISTEN ?= 127.0.0.1:8080

.PHONY: deps build run test bench clean format

deps:
	@./scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/cohort serve --data $(DATA_DIR) --listen $(LISTEN)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	$(MAKE) --no-print-directory e2e

bench: build
	@./scripts/install-deps.sh --all
	./bench/run_all.sh

format:
	git ls-files '*.cc' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD_DIR)

# The web UI (web/, docs/ui.md) is built and embedded by `build`; `web` builds just that part.
.PHONY: web e2e screenshots
SCREENSHOTS ?= $(BUILD_DIR)/screenshots
web: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) --target web_assets -j $(JOBS)

# Browser tests: web/e2e/*.test.mjs (node:test + playwright-core + Debian's chromium) against
# $(BUILD_DIR)/cohort on port 0 with a temp data dir; screenshots go to $(SCREENSHOTS).
e2e: build
	cmake -E copy_directory web/e2e $(BUILD_DIR)/web/e2e
	cd $(BUILD_DIR)/web && COHORT_BIN=$(abspath $(BUILD_DIR))/cohort COHORT_SOURCE_DIR=$(CURDIR) \
	  COHORT_SCREENSHOTS=$(abspath $(SCREENSHOTS)) node --test --test-concurrency=1 e2e/

# Refresh the screenshots committed in docs/screenshots (linked from README.md).
screenshots:
	$(MAKE) --no-print-directory e2e SCREENSHOTS=docs/screenshots
