"""Text corpora."""

from __future__ import annotations

from lgcore.data.files import DataFile, fetch

TINY_SHAKESPEARE = DataFile(
    "tinyshakespeare", "input.txt",
    "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed",
)


def load_tiny_shakespeare() -> str:
    """Return the Tiny Shakespeare corpus (1,115,394 characters) as one string."""
    return fetch(TINY_SHAKESPEARE).read_text(encoding="utf-8")
