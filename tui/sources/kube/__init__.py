"""Kubernetes as warroom sees it: kubeconfig, list+watch, rows, transitions, actions.

Plain Python (threads and the `kubernetes` client), no Textual. The client is
imported lazily, in worker threads: loading it takes about a third of a
second, which must not delay the first frame.
"""
