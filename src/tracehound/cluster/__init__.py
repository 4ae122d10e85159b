"""The write path as services: workers, the analyzer, alerts, and their shared operations plumbing.

The collector's HTTP app lives in :mod:`tracehound.api.ingest`; this package holds what runs
behind it (bus consumers, the leader-elected analyzer, webhook delivery) and what every service
shares (metrics, structured logs, the single-node composition in :mod:`tracehound.cluster.node`).
Nothing here imports a bus or database driver: it talks to :mod:`tracehound.bus` and
:mod:`tracehound.store` through their protocols, so the same code runs on one node and in a cluster.
"""
