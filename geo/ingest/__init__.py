"""Roster ingest: files of any common shape in, every row loaded or rejected with a reason."""

from geo.ingest.layouts import PUB, PUB_FIELDS, Layout, load_layout
from geo.ingest.loader import IngestResult, batch_status, export_rejects, ingest_file

__all__ = [
    "PUB",
    "PUB_FIELDS",
    "IngestResult",
    "Layout",
    "batch_status",
    "export_rejects",
    "ingest_file",
    "load_layout",
]
