"""One exception tree for the domain library; `api/` maps it to HTTP statuses in one place."""


class PadronError(Exception):
    """Base of every error the library raises on purpose; its message is safe to show a user."""


class InvalidParameter(PadronError):
    """A caller passed a value outside what the function accepts."""


class NotFound(PadronError):
    """The requested object does not exist (or is outside the caller's area)."""


class DataCheckFailed(PadronError):
    """Loaded data failed a consistency check; nothing was committed."""


class ClusterError(PadronError):
    """The embedded PostgreSQL cluster could not be created, started or reached."""


class TooManyAttempts(PadronError):
    """Refused for now: too many attempts; ``retry_after`` seconds until the next may pass."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
