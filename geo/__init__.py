"""The registry's domain library, by step. See ``docs/architecture.md`` for the layers.

``geo.kernel`` is below everything; then ``ingest``, ``geocode``, ``resolve``, ``coverage``,
``access`` and ``publish``, each importing only from the ones before it; ``geo.pipeline`` runs a
batch through the steps in order. No module here knows HTTP, the environment or the terminal.
"""
