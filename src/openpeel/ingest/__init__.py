"""Ingest: one module per source. Each reads, validates and returns rows with their provenance."""
