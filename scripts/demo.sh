#!/usr/bin/env bash
# demo.sh start|stop DIR BIN: runs the local control plane with the seeded
# scenarios in the background, then diagnoses each scenario with the plugin.
set -euo pipefail
action=$1 dir=$2 bin=$3
root=$(cd "$(dirname "$0")/.." && pwd)
pidfile=$dir/democluster.pid

stop() {
  if [[ -f $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill -TERM "$(cat "$pidfile")"
    for _ in $(seq 1 60); do
      kill -0 "$(cat "$pidfile")" 2>/dev/null || break
      sleep 0.5
    done
    echo "demo control plane stopped"
  fi
  rm -f "$pidfile"
}

start() {
  stop
  mkdir -p "$dir"
  cd "$root"
  go build -o "$bin/democluster" ./test/cmd/democluster
  # kubectl completes `kubectl argofix <TAB>` through this helper, found on
  # PATH beside the plugin: the PATH line printed below covers both.
  install -m 0755 scripts/kubectl_complete-argofix "$bin/kubectl_complete-argofix"
  # The control plane outlives this script, in its own session so that a
  # Ctrl-C here does not stop it; its log stays in $dir.
  setsid "$bin/democluster" --dir "$dir" </dev/null >"$dir/democluster.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 480); do
    [[ -f $dir/ready ]] && break
    if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
      echo "the demo control plane failed to start; its log:" >&2
      tail -n 30 "$dir/democluster.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  [[ -f $dir/ready ]] || { echo "the demo control plane is not ready after 240s; see $dir/democluster.log" >&2; exit 1; }
  export KUBECONFIG=$dir/kubeconfig
  for scenario in "$root"/test/scenarios/*/scenario.yaml; do
    ns=$(basename "$(dirname "$scenario")")
    # diagnose: [app, guestbook] -> app guestbook
    read -r -a args <<<"$(sed -n 's/^diagnose: *\[\(.*\)\]/\1/p' "$scenario" | tr -d ',')"
    echo
    echo "\$ kubectl argofix --argocd-namespace $ns diagnose ${args[*]} -n $ns"
    "$bin/kubectl-argofix" --argocd-namespace "$ns" diagnose "${args[@]}" -n "$ns" --stuck-after 0s || true
  done
  # democluster logs one of these two lines (test/cmd/democluster/realargocd.go).
  local real=ran
  if grep -q "real Argo CD controller running" "$dir/democluster.log"; then
    echo
    echo "# Applications driven by the real Argo CD application-controller (v2.14.21):"
    echo "\$ kubectl argofix diagnose apps -n argocd --stuck-after 0s"
    "$bin/kubectl-argofix" --argocd-namespace argocd diagnose apps -n argocd --stuck-after 0s || true
  else
    real=skipped
  fi
  fix_stuck_namespace
  echo
  echo "The control plane keeps running. Try the plugin yourself:"
  echo "  export KUBECONFIG=$KUBECONFIG PATH=$bin:\$PATH"
  echo "  kubectl argofix --argocd-namespace project-typo diagnose app -n project-typo guestbook -o wide"
  echo "Stop it with: make demo-stop"
  if [[ $real == skipped ]]; then
    # Never skipped quietly: the part with the real controller is what
    # shows the plugin on state Argo CD itself wrote.
    {
      echo
      echo "*** DEMO INCOMPLETE: the real Argo CD application-controller part did not"
      echo "*** run; only the hand-written scenarios were shown. Why:"
      grep "REAL ARGO CD PART SKIPPED" "$dir/democluster.log" ||
        echo "*** no reason logged; see $dir/democluster.log"
    } >&2
    exit 1
  fi
}

# fix_stuck_namespace shows a guarded fix on the seeded stuck namespace:
# the dry run (the exact request, nothing sent), then the fix itself
# (--yes: a demo has no one to answer the prompt), then the namespace gone.
fix_stuck_namespace() {
  local ns=namespace-terminating-finalizer team=namespace-terminating-finalizer-team
  local plugin=("$bin/kubectl-argofix" --argocd-namespace "$ns")
  # The namespace controller first empties the namespace; then only the
  # Namespace's own finalizer holds it.
  for _ in $(seq 1 60); do
    "${plugin[@]}" fix namespace "$team" --stuck-after 0s --dry-run 2>/dev/null | grep -q remove-finalizers && break
    sleep 0.5
  done
  echo
  echo "# Fix the stuck namespace: a dry run first, then for real, journaled for undo."
  echo "\$ kubectl argofix --argocd-namespace $ns fix namespace $team --dry-run"
  "${plugin[@]}" fix namespace "$team" --stuck-after 0s --dry-run || true
  echo
  echo "\$ kubectl argofix --argocd-namespace $ns fix namespace $team --yes"
  "${plugin[@]}" fix namespace "$team" --stuck-after 0s --yes --journal-dir "$dir/journal" || true
  for _ in $(seq 1 60); do
    "${plugin[@]}" diagnose namespace "$team" >/dev/null 2>&1 || [[ $? != 2 ]] || break
    sleep 0.5
  done
  echo
  echo "\$ kubectl argofix --argocd-namespace $ns diagnose namespace $team"
  "${plugin[@]}" diagnose namespace "$team" || true
}

case $action in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop DIR BIN" >&2; exit 2 ;;
esac
