"""Imported by the extraction pool's forkserver: loads what every worker needs, once."""
from __future__ import annotations

from pipelines.workers import preload

preload()
