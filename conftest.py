"""Let nbval execute the book's MyST chapters (``book/**/*.md``) directly.

nbval collects only ``.ipynb`` files and reads them with ``nbformat.read``.
Here a chapter ``.md`` whose front matter names a ``kernelspec`` is collected
as a notebook and read through ``jupytext``, so no ``.ipynb`` is written and
each cell runs from the chapter's own folder, as in the book build. Run with
``pytest --nbval-lax --nbval-current-env book``.
"""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import jupytext
import nbformat

try:
    from nbval import plugin as nbval_plugin
except ImportError:  # nbval is a test dependency; without it only the unit tests run
    nbval_plugin = None


def is_chapter(path: Path) -> bool:
    """Return whether ``path`` is a MyST notebook: a ``.md`` file whose front matter has a kernelspec."""
    if path.suffix != ".md":
        return False
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---"):
        return False
    front_matter = text.split("---", 2)[1]
    return "kernelspec:" in front_matter


def read_text_notebook(path, as_version=4, **kwargs):
    notebook = jupytext.read(path)
    return nbformat.convert(notebook, as_version) if notebook.nbformat != as_version else notebook


if nbval_plugin is not None:

    class TextNotebook(nbval_plugin.IPyNbFile):
        """An nbval notebook file read from its MyST text form."""

        def collect(self):
            with mock.patch.object(nbval_plugin.nbformat, "read", read_text_notebook):
                yield from super().collect()

    def pytest_collect_file(file_path: Path, parent):
        options = parent.config.option
        if (options.nbval or options.nbval_lax) and is_chapter(file_path):
            return TextNotebook.from_parent(parent, path=file_path)
        return None
