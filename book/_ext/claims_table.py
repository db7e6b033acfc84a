"""Sphinx extension: the ``claims-table`` directive renders every chapter's claim records.

The directive leaves a placeholder when its page is read. The table is filled
in at ``doctree-resolved``, in the write phase, after every notebook of the
build has executed in the read phase, so the page never depends on the order
in which chapters run. Records come from ``lgcore.claims.records_dir()``.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.util.docutils import SphinxDirective

from lgcore import claims


class claims_placeholder(nodes.General, nodes.Element):
    """Marks where the table of claims goes."""


class ClaimsTable(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        pages = getattr(self.env, "claims_table_pages", set())
        pages.add(self.env.docname)
        self.env.claims_table_pages = pages
        return [claims_placeholder()]


def _table(rows: list[tuple[str, ...]]) -> nodes.table:
    table = nodes.table(classes=["claims-table", "colwidths-given"])
    group = nodes.tgroup(cols=len(claims.TABLE_COLUMNS))
    table += group
    for width in claims.TABLE_WIDTHS:
        group += nodes.colspec(colwidth=width)
    head = nodes.thead()
    group += head
    head += _row(claims.TABLE_COLUMNS)
    body = nodes.tbody()
    group += body
    for row in rows:
        body += _row(row)
    return table


def _row(cells: tuple[str, ...]) -> nodes.row:
    row = nodes.row()
    for text in cells:
        entry = nodes.entry()
        entry += nodes.paragraph(text=text)
        row += entry
    return row


def fill_tables(app, doctree, docname) -> None:
    placeholders = list(doctree.findall(claims_placeholder))
    if not placeholders:
        return
    records = claims.load_records()
    total = sum(len(record["claims"]) for record in records)
    failed = sum(not claim["passed"] for record in records for claim in record["claims"])
    content: list[nodes.Node] = [nodes.paragraph(text=(
        f"{total} claims from {len(records)} chapter{'s' if len(records) != 1 else ''}: "
        f"{total - failed} pass, {failed} fail."
        if records else "No claim records were found: build the book so that its chapters execute."))]
    for record in records:
        section = nodes.rubric(text=record["chapter"])
        content += [section, nodes.paragraph(text=claims.provenance_line(record)), _table(claims.table_rows(record))]
    for placeholder in placeholders:
        placeholder.replace_self([node.deepcopy() for node in content])


def always_outdated(app, env, added, changed, removed) -> list[str]:
    """Re-read pages with a claims table on every build, because the records change without the page."""
    return sorted(getattr(env, "claims_table_pages", set()) - set(removed))


def setup(app):
    app.add_node(claims_placeholder)
    app.add_directive("claims-table", ClaimsTable)
    app.connect("env-get-outdated", always_outdated)
    app.connect("doctree-resolved", fill_tables)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
