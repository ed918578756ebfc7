#!/bin/sh
# Body/title/author/date scores of our extractor next to plain trafilatura (include_comments=False)
# on the development sets in /work/shared/eval. Extra arguments go to extract_eval.py
# (e.g. --limit 20, --by-group, --save-predictions /tmp/preds.jsonl, --n-bootstrap 0).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=${PYTHON:-$root/.venv/bin/python}
tool=${EXTRACT_EVAL:-/work/shared/tools/extract_eval.py}
data=${EVAL_DATA:-/work/shared/eval}

"$python" "$tool" "$data/zyte-aeb" \
    --callable "newsarchive::$here/eval_adapter.py:extract" \
    --extractor trafilatura --variants nocomments "$@"
"$python" "$tool" "$data/fundus-dev" --exclude-groups jp,cn,tw \
    --callable "newsarchive::$here/eval_adapter.py:extract" \
    --extractor trafilatura --variants nocomments "$@"
