.PHONY: bench test test-fast

# The fast loop while working: no national lakes, no Spark, no browser (see the markers in pyproject.toml),
# over two pytest-xdist workers (the development machine's two cores), each test file on one worker.
test-fast:
	python -m pytest -q -m "not slow and not browser" -n 2 --dist loadfile

# Everything, as .ci/run does (it also installs Chromium and starts PostgreSQL).
test:
	python -m pytest -q


# Ingest benchmarks on the real 2014 files and on one synthetic national year (needs `pip install -e '.[bench]'`):
# whole processes against DuckDB COPY-to-Parquet and polars, then the earlier in-process comparison.
bench:
	python -m benchmarks.police_uk_lake real
	python -m benchmarks.police_uk_lake synthetic --months 12
	python -m benchmarks real
	python -m benchmarks synthetic --months 12
