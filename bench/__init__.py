"""Benchmarks of the chat service: `python -m bench` runs them all, `python -m bench NAME` one.

Each benchmark starts the real service (gunicorn, gevent worker) as a subprocess on 127.0.0.1,
measures a reference in the same run, prints one result line and writes JSON to bench/results/.
See docs/benchmarks.md for what the numbers mean and the last recorded results.
"""
