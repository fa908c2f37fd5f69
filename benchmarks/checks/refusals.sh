#!/usr/bin/env bash
# What weighing refusals of consent costs a bulk check: a list of 100,000 numbers no one has chosen for, plus either
# REFUSERS numbers whose patient refused research (set up once through a proxy, as a patient would through the pages) or
# as many who did not, checked for research alternately, RUNS times each. Against the service `infra/optout run`
# started (development store). Prints each run's seconds and numbers kept; the ratio of the medians is the figure.
# Usage: benchmarks/checks/refusals.sh [REFUSERS, default 2000] [RUNS, default 6]
set -euo pipefail
cd "$(dirname "$0")/../.."
refusers="${1:-2000}"
runs="${2:-6}"
token() { infra/optout token "$@" --minutes 60 | tail -1; }
admin=$(token --role admin) proxy=$(token --role proxy --subject bench-refusals) pipeline=$(token --role pipeline)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ADMIN="$admin" PROXY="$proxy" REFUSERS="$refusers" WORK="$work" /usr/bin/python3 - <<'PY'
import http.client, json, os, random

def numbers(n, seed):
    """Valid NHS numbers from a range the tests do not use, the same ones for the same seed."""
    r, out = random.Random(seed), []
    while len(out) < n:
        base = f"{r.randrange(600_000_000, 700_000_000):09d}"
        check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(base)) % 11
        if check != 10:
            out.append(base + str(check % 11))
    return out

refusers = numbers(int(os.environ["REFUSERS"]), 7)
c = http.client.HTTPConnection("127.0.0.1", 5080)
def send(method, path, body, token):
    c.request(method, path, json.dumps(body), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = c.getresponse(); r.read()
    assert r.status in (200, 201), (method, path, r.status)
for n in refusers:
    send("POST", f"/v1/patients/{n}/proxies", {"proxyId": "bench-refusals", "role": "power-of-attorney", "evidenceReference": "LPA-1"}, os.environ["ADMIN"])
    send("PUT", f"/v1/patients/{n}/consents/research", {"decision": "deny", "channel": "online"}, os.environ["PROXY"])
crowd = numbers(100_000, 11)
for name, extra in (("with", refusers), ("without", numbers(len(refusers), 13))):
    open(os.path.join(os.environ["WORK"], name), "w").write("\n".join(crowd + extra) + "\n")
PY
for run in $(seq 1 "$runs"); do
  for list in with without; do
    seconds=$(curl -sf -o "$work/kept" -w "%{time_total}" -X POST -H "Authorization: Bearer $pipeline" -H "Content-Type: text/plain" \
      --data-binary "@$work/$list" "http://127.0.0.1:5080/v1/opt-out-checks?purpose=research&dataSource=hospital")
    echo "run $run, $list refusers: ${seconds}s, $(wc -l < "$work/kept") kept"
  done
done
