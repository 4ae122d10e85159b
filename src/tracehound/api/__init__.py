"""The HTTP services: the collector's ingest API (:mod:`.ingest`) and the read API (:mod:`.read`)."""
