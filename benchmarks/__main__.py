"""`python -m benchmarks` runs the data.police.uk ingest benchmark; see police_uk_ingest.py."""

from benchmarks.police_uk_ingest import main

main()
