"""Ground truth, saved predictions and the shared scorer, for the reports made after `make eval`.

The scoring functions are extract_eval.py's own, loaded from its file (never copied, never
edited), so that every figure here is computed exactly as the scorer computes it.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_people import page_html

TOOL = Path(os.environ.get("EXTRACT_EVAL", "/work/shared/tools/extract_eval.py"))
DATA = Path(os.environ.get("EVAL_DATA", "/work/shared/eval"))
# the sets `make eval` scores, and the groups it leaves out (the tokenizer means little on them)
SETS = {"zyte-aeb": frozenset(), "fundus-dev": frozenset({"jp", "cn", "tw"})}
SYSTEM = "newsarchive"

_tool: ModuleType | None = None


def scorer() -> ModuleType:
    """extract_eval.py as a module (loaded once)."""
    global _tool
    if _tool is None:
        spec = importlib.util.spec_from_file_location("extract_eval", TOOL)
        if spec is None or spec.loader is None:
            raise SystemExit(f"cannot load the scorer {TOOL}")
        _tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(_tool)
    return _tool


@dataclass
class Page:
    """One evaluation page: its ground truth and, read on demand, its HTML."""

    id: str
    gt: dict[str, Any]
    html_path: Path
    _html: str | None = field(default=None, repr=False)

    @property
    def html(self) -> str:
        if self._html is None:
            self._html = page_html(self.html_path)
        return self._html


def load_set(name: str, data: Path = DATA) -> list[Page]:
    """The pages of one set as `make eval` scores them (same groups left out)."""
    drop = SETS.get(name, frozenset())
    pages = []
    for page in scorer().load_dataset(data / name):
        if page.group not in drop:
            pages.append(Page(page.id, page.gt, page.html_path))
    return pages


def load_predictions(path: Path, system: str = SYSTEM) -> dict[str, dict[str, Any]]:
    """One system's predictions from a --save-predictions file, by page id."""
    preds: dict[str, dict[str, Any]] = {}
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as err:
                print(f"warning: {path}:{n}: not JSON ({err}); line skipped", file=sys.stderr)
                continue
            if row.get("system") == system:
                preds[str(row["id"])] = row
    return preds


def systems_in(path: Path) -> list[str]:
    """The systems a predictions file holds, in the order they first appear."""
    seen: dict[str, None] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            try:
                seen.setdefault(str(json.loads(line).get("system")), None)
            except ValueError:
                continue
    return list(seen)
