"""The example gallery: one file per example, each a LiveView you can read top to bottom."""
