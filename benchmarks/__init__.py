"""Benchmarks of issue 6 (performance): reproduce vs floor, scaling, QDPX import. Run ``python -m benchmarks``."""
