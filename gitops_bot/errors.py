"""The one user-facing error type.

Anything the user can fix (unknown recipe, bad parameter, unparsable file, missing token) is a
UserError: the CLI prints its message on one line and exits with its code. Every other exception
is a bug and exits 3.
"""


class UserError(Exception):
    """A problem with the user's input, reported as one clear line."""

    def __init__(self, message: str, exit_code: int = 2, *, kind: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code
        self.kind = kind  # for callers that answer differently (UNKNOWN_RECIPE); "" otherwise


# UserError kinds a caller acts on.
UNKNOWN_RECIPE = "unknown-recipe"


def did_you_mean(word: str, known, n: int = 3, cutoff: float = 0.6) -> str:
    """`; did you mean: a, b?` naming the known words closest to a mistyped one, or ""."""
    import difflib

    close = difflib.get_close_matches(word, sorted(known), n=n, cutoff=cutoff)
    return f"; did you mean: {', '.join(close)}?" if close else ""
