#!/usr/bin/env bash
# Validates deploy/ as far as this machine can without a cluster, a registry or a Docker daemon:
#   - deploy/k8s: `kubectl kustomize` renders it (when kubectl is installed), then a structure check of every object
#     (required fields; probes, Service target ports and volume mounts name what the pod has; every Secret and
#     ConfigMap a pod mounts is in the set; Services, PodDisruptionBudgets and HPAs select or name a workload; the
#     admin port 9090 is open to the monitoring namespace only); the proxies' configs in ConfigMaps parse as YAML
#   - deploy/prometheus: both files parse; `promtool check` when installed
#   - deploy/grafana: the dashboard JSON parses, and every privacy_proxy_* metric it and the alert rules use is one the
#     proxies export (the names ProxyMetrics registers, with Prometheus's suffixes)
#   - deploy/systemd: `systemd-analyze verify` on the units
#   - with --images: deploy/image/smoke-test.sh on the image tarballs of `mvn -Pimage package` (needs root)
# Needs python3 with PyYAML (Debian: python3-yaml). Exit status 0 when everything checked passes.
set -euo pipefail
cd "$(dirname "$0")/.."
images=false
for a in "$@"; do
  case "$a" in
    --images) images=true ;;
    -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; echo "usage: scripts/validate-deploy.sh [--images]"; exit 0 ;;
    *) echo "validate-deploy: unknown argument $a (try --help)" >&2; exit 2 ;;
  esac
done
python3 -c 'import yaml' 2>/dev/null || { echo "validate-deploy: needs python3-yaml" >&2; exit 2; }
fail=0
ok() { echo "ok    $*"; }
bad() { echo "FAIL  $*"; fail=1; }

rendered=$(mktemp)
trap 'rm -f "$rendered"' EXIT
if command -v kubectl >/dev/null; then
  if kubectl kustomize deploy/k8s >"$rendered" 2>"$rendered.err"; then
    ok "kubectl kustomize deploy/k8s ($(grep -c '^kind:' "$rendered") objects)"
  else
    bad "kubectl kustomize deploy/k8s: $(cat "$rendered.err")"
  fi
  rm -f "$rendered.err"
  # kubectl --dry-run=client needs a cluster to map kinds; there is none here, so the structure check below stands in.
else
  echo "skip  kubectl not installed: checking deploy/k8s/*.yaml without kustomize"
  for f in deploy/k8s/*.yaml; do [[ $(basename "$f") == kustomization.yaml ]] || { cat "$f"; echo "---"; } ; done >"$rendered"
fi

python3 - "$rendered" <<'PY' || fail=1
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
errors = []
def err(obj, msg):
    errors.append(f"{obj.get('kind')}/{obj.get('metadata', {}).get('name')}: {msg}")
by_kind = {}
for d in docs:
    for field in ("apiVersion", "kind", "metadata"):
        if field not in d:
            err(d, f"no {field}")
    if "name" not in d.get("metadata", {}):
        err(d, "no metadata.name")
    by_kind.setdefault(d.get("kind"), {})[d["metadata"].get("name")] = d
secrets, configmaps = set(by_kind.get("Secret", {})), set(by_kind.get("ConfigMap", {}))
workloads = {**by_kind.get("Deployment", {}), **by_kind.get("StatefulSet", {})}
def pod_ports(w):
    return {p["name"]: p for c in w["spec"]["template"]["spec"]["containers"] for p in c.get("ports", [])}
for name, w in workloads.items():
    spec = w["spec"]
    labels = spec["template"]["metadata"].get("labels", {})
    sel = spec["selector"]["matchLabels"]
    if any(labels.get(k) != v for k, v in sel.items()):
        err(w, "selector does not match the pod template's labels")
    pod = spec["template"]["spec"]
    vols = {v["name"]: v for v in pod.get("volumes", [])}
    claims = {c["metadata"]["name"] for c in spec.get("volumeClaimTemplates", [])}
    for v in vols.values():
        if "secret" in v and v["secret"]["secretName"] not in secrets:
            err(w, f"volume {v['name']} mounts Secret {v['secret']['secretName']}, which is not defined")
        if "configMap" in v and v["configMap"]["name"] not in configmaps:
            err(w, f"volume {v['name']} mounts ConfigMap {v['configMap']['name']}, which is not defined")
    ports = pod_ports(w)
    for c in pod["containers"]:
        for m in c.get("volumeMounts", []):
            if m["name"] not in vols and m["name"] not in claims:
                err(w, f"mount {m['name']} has no volume")
        for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
            p = c.get(probe)
            if p and "httpGet" in p:
                port = p["httpGet"]["port"]
                if isinstance(port, str) and port not in ports:
                    err(w, f"{probe} names port {port}, which the container does not have")
        if w["metadata"]["name"].startswith("proxy-"):
            for probe, path in (("readinessProbe", "/health/ready"), ("livenessProbe", "/health/live")):
                if c.get(probe, {}).get("httpGet", {}).get("path") != path:
                    err(w, f"{probe} must be GET {path} on the admin port")
            sc = c.get("securityContext", {})
            if not sc.get("readOnlyRootFilesystem") or sc.get("allowPrivilegeEscalation", True):
                err(w, "container must have a read-only root filesystem and no privilege escalation")
for name, s in by_kind.get("Service", {}).items():
    sel = s["spec"].get("selector", {})
    targets = [w for w in workloads.values()
               if all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())]
    if not targets:
        err(s, "selects no workload")
    for p in s["spec"]["ports"]:
        tp = p.get("targetPort")
        if isinstance(tp, str) and not any(tp in pod_ports(w) for w in targets):
            err(s, f"targetPort {tp} is no container port of the selected pods")
    protos = {(p.get("protocol", "TCP"), p.get("port")) for p in s["spec"]["ports"]}
    if name.startswith("proxy-") and not any(proto == "UDP" for proto, _ in protos):
        err(s, "no UDP port for HTTP/3")
for kind in ("PodDisruptionBudget",):
    for name, p in by_kind.get(kind, {}).items():
        sel = p["spec"]["selector"]["matchLabels"]
        if not any(all(w["spec"]["template"]["metadata"]["labels"].get(k) == v for k, v in sel.items())
                   for w in workloads.values()):
            err(p, "selects no workload")
for name, h in by_kind.get("HorizontalPodAutoscaler", {}).items():
    ref = h["spec"]["scaleTargetRef"]
    if ref["name"] not in workloads:
        err(h, f"scales {ref['name']}, which is not defined")
    if not any(m.get("resource", {}).get("name") == "cpu" for m in h["spec"]["metrics"]):
        err(h, "no CPU target")
for proxy in ("proxy-a", "proxy-b"):
    if proxy not in by_kind.get("PodDisruptionBudget", {}) or proxy not in by_kind.get("HorizontalPodAutoscaler", {}):
        errors.append(f"{proxy}: needs a PodDisruptionBudget and a HorizontalPodAutoscaler")
for name, np in by_kind.get("NetworkPolicy", {}).items():
    for rule in np["spec"].get("ingress", []):
        if any(p.get("port") == 9090 for p in rule.get("ports", [])):
            sources = rule.get("from", [])
            if not sources or any("ipBlock" in s or not s.get("namespaceSelector") for s in sources):
                err(np, "the admin port 9090 must be open to the monitoring namespace only")
if "proxy-a" not in by_kind.get("NetworkPolicy", {}):
    errors.append("proxy-a: needs a NetworkPolicy keeping its admin port private")
for name, cm in by_kind.get("ConfigMap", {}).items():
    for key, text in cm.get("data", {}).items():
        if key.endswith((".yaml", ".yml")):
            try:
                cfg = yaml.safe_load(text)
                assert isinstance(cfg, dict) and "listen" in cfg, "no listen key"
            except Exception as e:
                err(cm, f"{key} is not a proxy configuration: {e}")
for e in errors:
    print("FAIL  k8s " + e)
print(("ok    " if not errors else "FAIL  ") + f"k8s structure: {len(docs)} objects, {len(errors)} problems")
sys.exit(1 if errors else 0)
PY

python3 - <<'PY' || fail=1
import json, re, sys, yaml
problems = []
for f in ("deploy/prometheus/prometheus.yml", "deploy/prometheus/alerts.yml"):
    try:
        yaml.safe_load(open(f))
    except Exception as e:
        problems.append(f"{f}: {e}")
try:
    dash = json.load(open("deploy/grafana/doublehop.json"))
    assert dash.get("panels"), "no panels"
except Exception as e:
    problems.append(f"deploy/grafana/doublehop.json: {e}")
    dash = {}
# What the proxies export: every builder in ProxyMetrics, with Prometheus's suffixes.
src = open("proxy-runtime/src/main/java/net/doublehop/runtime/metrics/ProxyMetrics.java").read()
exported = set()
builders = list(re.finditer(r'(Counter|Gauge|Timer|DistributionSummary)\.builder\("([a-z_]+)"', src))
for i, m in enumerate(builders):
    kind, name = m.groups()
    chain = src[m.end():builders[i + 1].start() if i + 1 < len(builders) else len(src)]
    if kind == "Counter":
        exported.add(name + "_total")
    elif kind == "Gauge":
        exported.add(name)
    else:
        base = name + ("_seconds" if kind == "Timer" else "")
        exported |= {base + "_count", base + "_sum", base + "_max"}
        if "publishPercentileHistogram" in chain:
            exported.add(base + "_bucket")
used = {}
exprs_dash = " ".join(t.get("expr", "") for p in dash.get("panels", []) for t in p.get("targets", []))
rules = yaml.safe_load(open("deploy/prometheus/alerts.yml")) or {}
exprs_alerts = " ".join(r.get("expr", "") for g in rules.get("groups", []) for r in g.get("rules", []))
for f, text in (("deploy/grafana/doublehop.json", exprs_dash), ("deploy/prometheus/alerts.yml", exprs_alerts)):
    for n in re.findall(r"privacy_proxy_[a-z_]+", text):
        used.setdefault(n, set()).add(f)
for n, files in sorted(used.items()):
    if n not in exported:
        problems.append(f"{', '.join(sorted(files))} uses {n}, which the proxies do not export")
panels = [p["title"] for p in dash.get("panels", [])]
for want in ("tunnels", "latency", "bytes", "refusals", "pool", "token"):
    if not any(want in t.lower() for t in panels):
        problems.append(f"deploy/grafana/doublehop.json: no panel about {want}")
for p in problems:
    print("FAIL  " + p)
print(("ok    " if not problems else "FAIL  ")
      + f"dashboard ({len(panels)} panels) and alert rules use {len(used)} metric names, all exported")
sys.exit(1 if problems else 0)
PY

if command -v promtool >/dev/null; then
  promtool check config deploy/prometheus/prometheus.yml >/dev/null && ok "promtool check config" || bad "promtool check config"
else
  echo "skip  promtool not installed (YAML parse only)"
fi

if command -v systemd-analyze >/dev/null; then
  if out=$(systemd-analyze verify deploy/systemd/proxy-a.service deploy/systemd/proxy-b.service 2>&1) && [[ -z $out ]]; then
    ok "systemd-analyze verify deploy/systemd/*.service"
  else
    bad "systemd-analyze verify: $out"
  fi
else
  echo "skip  systemd-analyze not installed"
fi

if $images; then
  for t in proxy-a/target/proxy-a-image.tar proxy-b/target/proxy-b-image.tar; do
    if [[ -f $t ]]; then
      deploy/image/smoke-test.sh "$t" && ok "image $t" || bad "image $t"
    else
      bad "image $t missing: build it with mvn -B -Pimage -DskipTests package"
    fi
  done
fi

if ((fail)); then echo "validate-deploy: FAILED"; exit 1; fi
echo "validate-deploy: all checks passed"
