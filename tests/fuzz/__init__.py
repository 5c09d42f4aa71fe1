"""The fuzz suite: seeded garbage and near-valid frames against a small app, checked by oracles.

See tests/fuzz/README.md.
"""
