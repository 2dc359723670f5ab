#!/usr/bin/env bash
# bench-compare.sh REV [OUT]: our benchmarks at REV beside the working tree, in
# one run on one machine, each workload run for both builds back to back so
# that the machine's drift hits both alike.
#
#   - Rust: criterion workloads a-g (`benches/benches/peers.rs`), our rows only
#     ("golang", the deterministic single-threaded executor).
#   - Python: ../shared/bench/python/chanbench.py, the Pygolang-compatible
#     benchmark, on a wheel of each build (threads runtime).
#
# REV is built in a git worktree under $BENCH_WT (default /tmp/bench-REV) with a
# target directory of its own; the working tree uses $CARGO_TARGET_DIR (or
# ./target). Results: a table on stdout and in OUT (default bench-compare.txt).
# ROUNDS=N (3) runs per workload and build; BENCHES="a_pingpong ..." only
# those criterion groups; NO_PYTHON=1 skips chanbench, NO_RUST=1 criterion.
set -euo pipefail
rev=${1:?usage: tools/bench-compare.sh REV [OUT]}
out=${2:-bench-compare.txt}
here=$(cd "$(dirname "$0")/.." && pwd)
py=$here/.venv/bin/python
wt=${BENCH_WT:-/tmp/bench-$rev}
rounds=${ROUNDS:-3}
chanbench=$here/../shared/bench/python/chanbench.py

[ -d "$wt" ] || git -C "$here" worktree add --detach -q "$wt" "$rev"

# bench_bin DIR TARGET: builds the criterion binary of DIR, prints its path.
bench_bin() {
    (cd "$1" && CARGO_TARGET_DIR=$2 cargo bench -p golang-bench --bench peers --no-run \
        --message-format=json 2>/dev/null) |
        "$py" -c 'import sys,json
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "peers":
        print(m["executable"])'
}
# wheel_dir DIR TARGET: builds a wheel of DIR, unpacks it, prints the directory.
wheel_dir() {
    local d=$2/bench-wheel
    rm -rf "$d" && mkdir -p "$d"
    (cd "$1" && CARGO_TARGET_DIR=$2 VIRTUAL_ENV=$here/.venv PATH=$here/.venv/bin:$PATH \
        "$here/.venv/bin/maturin" build --release -q -o "$d" >/dev/null 2>&1)
    (cd "$d" && "$py" -m zipfile -e ./*.whl site >/dev/null)
    echo "$d/site"
}

old_tgt=$wt/target
new_tgt=${CARGO_TARGET_DIR:-$here/target}
if [ -z "${NO_RUST:-}" ]; then
    old_bin=$(bench_bin "$wt" "$old_tgt"); new_bin=$(bench_bin "$here" "$new_tgt")
fi
if [ -z "${NO_PYTHON:-}" ]; then
    old_site=$(wheel_dir "$wt" "$old_tgt"); new_site=$(wheel_dir "$here" "$new_tgt")
fi

# crit BIN GROUP: the median ns/op of GROUP/golang.
crit() {
    "$1" --bench --warm-up-time 1 --measurement-time 3 "^$2/golang\$" 2>/dev/null |
        "$py" -c 'import sys,re
units = {"ps": 1e-3, "ns": 1, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
got = None
for l in sys.stdin:    # (all of it: closing the pipe early would kill the bench)
    m = re.search(r"time:\s+\[\S+ \S+ (\S+) (\S+) ", l)
    if m and got is None:
        got = float(m.group(1)) * units[m.group(2)]
print("%.1f" % got)'
}
{
echo "# bench-compare: $rev ($(git -C "$wt" log -1 --format=%h)) vs working tree ($(git -C "$here" log -1 --format=%h)), $(date -u +%F), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -z "${NO_RUST:-}" ]; then
echo "# Rust criterion (ns/op, median of $rounds runs each, alternating)"
printf '%-18s %10s %10s %7s\n' workload before after ratio
for g in ${BENCHES:-a_pingpong b_buf128 c_select_ready d_select_default e_spawn f_timer0 g_ctx_cancel g2_ctx_child}; do
    ob=(); nb=()
    for _ in $(seq "$rounds"); do ob+=("$(crit "$old_bin" $g)"); nb+=("$(crit "$new_bin" $g)"); done
    "$py" - "$g" "${ob[*]}" "${nb[*]}" <<'EOF'
import sys, statistics as st
g, o, n = sys.argv[1], [float(x) for x in sys.argv[2].split()], [float(x) for x in sys.argv[3].split()]
mo, mn = st.median(o), st.median(n)
print("%-18s %10.1f %10.1f %7.2f   (before %s; after %s)" % (g, mo, mn, mn / mo, sys.argv[2], sys.argv[3]))
EOF
done
fi
[ -n "${NO_PYTHON:-}" ] && exit 0
echo "# Python chanbench.py (ns/op, -count $rounds each, alternating)"
for _ in $(seq "$rounds"); do
    PYTHONPATH=$old_site "$py" "$chanbench" -count 1 -benchtime 0.3 | sed 's/^/before /'
    PYTHONPATH=$new_site "$py" "$chanbench" -count 1 -benchtime 0.3 | sed 's/^/after  /'
done | "$py" -c 'import sys, statistics as st, collections
d = collections.defaultdict(lambda: {"before": [], "after": []})
for l in sys.stdin:
    f = l.split()
    if len(f) >= 4 and f[1].startswith("Benchmark") and f[-1] == "ns/op":
        d[f[1]][f[0]].append(float(f[-2]))
print("%-28s %10s %10s %7s" % ("benchmark", "before", "after", "ratio"))
for k, v in d.items():
    if v["before"] and v["after"]:
        b, a = st.median(v["before"]), st.median(v["after"])
        print("%-28s %10.1f %10.1f %7.2f" % (k, b, a, a / b))'
} | tee "$out"
