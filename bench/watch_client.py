"""A watching client for the drill benchmark, in its own process.

    python -m bench.watch_client KUBECONFIG SECONDS

Lists every pod with the real `kubernetes` client, watches from the list's
resourceVersion for SECONDS, and prints JSON: how long the list took and how
late the stamped modifications arrived.
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from kubernetes import client, config, watch

STAMP = "bench.warroom/stamp"


def main(kubeconfig: str, seconds: float) -> None:
    api = client.CoreV1Api(config.new_client_from_config(config_file=kubeconfig))
    started = time.monotonic()
    listed = api.list_pod_for_all_namespaces(_preload_content=False)
    body = json.loads(listed.data)
    list_s = time.monotonic() - started
    lags: list[float] = []
    stream = watch.Watch().stream(
        api.list_pod_for_all_namespaces,
        resource_version=body["metadata"]["resourceVersion"],
        timeout_seconds=int(seconds),
        _preload_content=False,
    )
    for event in stream:
        raw = event.get("raw_object") or {}
        stamp = ((raw.get("metadata") or {}).get("annotations") or {}).get(STAMP)
        if event["type"] == "MODIFIED" and stamp:
            lags.append((time.time() - float(stamp)) * 1000)
    lags.sort()

    def pick(fraction: float) -> float:
        return round(lags[min(len(lags) - 1, int(len(lags) * fraction))], 1) if lags else -1.0

    print(json.dumps({
        "list_s": round(list_s, 3),
        "items": len(body["items"]),
        "stamped_events": len(lags),
        "lag_ms_p50": round(statistics.median(lags), 1) if lags else -1.0,
        "lag_ms_p99": pick(0.99),
        "lag_ms_max": round(lags[-1], 1) if lags else -1.0,
    }))  # fmt: skip


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]))
