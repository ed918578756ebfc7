#!/bin/sh
# Body/title/author/date scores of our extractor next to plain trafilatura (include_comments=False)
# on the development sets in /work/shared/eval, then the same figures with the author metric also
# on the pages whose ground truth names people (bench/eval_report.py; the rule: bench/eval_people.py).
# Own options:
#   --out DIR        keep the predictions as DIR/<set>.jsonl (default: a new $TMPDIR/newsarchive-eval.*,
#                    so that runs side by side do not mix; its name is printed, for a later --before)
#   --misses         also count our misses by class (bench/eval_misses.py)
#   --before DIR     predictions of an earlier run (its --out): figures and misses before -> after
#   --save-predictions F   both sets' predictions in one file F
# Other arguments go to extract_eval.py (e.g. --limit 20, --by-group, --n-bootstrap 0).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
python=${PYTHON:-$root/.venv/bin/python}
tool=${EXTRACT_EVAL:-/work/shared/tools/extract_eval.py}
data=${EVAL_DATA:-/work/shared/eval}
out=""
save=""
report=""
n=$#
while [ "$n" -gt 0 ]; do  # take our options out, hand the rest on in order
    n=$((n - 1)); arg=$1; shift
    case $arg in
        --out) out=$1; shift; n=$((n - 1)) ;;
        --out=*) out=${arg#--out=} ;;
        --save-predictions) save=$1; shift; n=$((n - 1)) ;;
        --save-predictions=*) save=${arg#--save-predictions=} ;;
        --misses) report="$report --misses" ;;
        --before) report="$report --before $1"; shift; n=$((n - 1)) ;;
        --before=*) report="$report --before ${arg#--before=}" ;;
        *) set -- "$@" "$arg" ;;
    esac
done
if [ -z "$out" ]; then
    out=$(mktemp -d "${TMPDIR:-/tmp}/newsarchive-eval.XXXXXX")
fi
mkdir -p "$out"

"$python" "$tool" "$data/zyte-aeb" \
    --callable "newsarchive::$here/eval_adapter.py:extract" \
    --extractor trafilatura --variants nocomments --save-predictions "$out/zyte-aeb.jsonl" "$@"
"$python" "$tool" "$data/fundus-dev" --exclude-groups jp,cn,tw \
    --callable "newsarchive::$here/eval_adapter.py:extract" \
    --extractor trafilatura --variants nocomments --save-predictions "$out/fundus-dev.jsonl" "$@"
if [ -n "$save" ]; then
    cat "$out/zyte-aeb.jsonl" "$out/fundus-dev.jsonl" > "$save"
fi
echo
echo "== authors on person-named pages (predictions in $out)"
# shellcheck disable=SC2086  # $report is our own option words
"$python" "$here/eval_report.py" "$out" $report
