"""Errors that carry a message meant for the analyst, not a traceback."""

__all__ = ["InputError", "RsnetError"]


class RsnetError(Exception):
    """Base class for errors shown to the user as a single clear message.

    Parameters
    ----------
    message : str
        What went wrong, naming the file (and row or column) and what to do.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(RsnetError):
    """An input file cannot be read as a survey export or session notes."""
