.PHONY: bench

# Ingest benchmark on the real 2014 files and on one synthetic national year (needs `pip install -e '.[bench]'`).
bench:
	python -m benchmarks real
	python -m benchmarks synthetic --months 12
