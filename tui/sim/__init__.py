"""The drill cluster: a Kubernetes API server on loopback that replays incidents.

It speaks the real Kubernetes REST protocol over HTTPS, so the real `kubectl`
and the real `kubernetes` client work against it unchanged. See cluster.py for
the entry point.
"""
