# Two commands for a fresh machine: `make demo` and `make test`. Both install what they need first.
.PHONY: setup demo test build package bench clean

setup:
	@scripts/setup.sh

demo: setup
	@scripts/demo.sh

test: setup
	@scripts/test.sh

build: setup
	@scripts/build.sh

# The npm package k12-export, packed: its path is the last line printed.
package: setup
	@scripts/package.sh

bench: setup
	@scripts/bench.sh

clean:
	cargo clean
	rm -rf dist node_modules
