"""Check the rendered book in headless Chromium: math typeset, figures present, no broken links.

Usage: ``python .ci/check_site.py _build/html [--screenshots DIR]``

* Every page is served from 127.0.0.1 and loaded in headless Chromium
  (Debian's ``chromium``); the DOM after scripts ran must hold one MathJax
  ``mjx-container`` per math element of the page, and no raw TeX delimiters.
* Every chapter page (a page with executed code cells) shows at least one
  figure, and every ``<img>`` points at a non-empty file of the build.
* Every relative link and resource resolves to a file of the build, and every
  ``#fragment`` to an id on the target page.
* No page loads a script or stylesheet from another host, so the book reads offline.

Exits 1 with one line per problem, 0 when the site is clean.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

SKIPPED_PAGES = {"genindex.html", "search.html", "py-modindex.html"}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--virtual-time-budget=15000"]


class PageParser(HTMLParser):
    """Collects links, resources, ids, images, math elements and code cells of one HTML page."""

    def __init__(self):
        super().__init__()
        self.links: list[str] = []
        self.resources: list[tuple[str, str]] = []
        self.ids: set[str] = set()
        self.images: list[str] = []
        self.math = 0
        self.code_cells = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if "id" in attributes:
            self.ids.add(attributes["id"])
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"])
        if tag == "img" and attributes.get("src"):
            self.images.append(attributes["src"])
        if tag == "script" and attributes.get("src"):
            self.resources.append(("script", attributes["src"]))
        if tag == "link" and attributes.get("href") and "stylesheet" in (attributes.get("rel") or ""):
            self.resources.append(("stylesheet", attributes["href"]))
        if "math" in classes and tag in ("span", "div"):
            self.math += 1
        if "cell_input" in classes:
            self.code_cells += 1


def parse(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def resolve(page: Path, target: str, root: Path) -> tuple[Path | None, str]:
    """Return the file a relative URL points at (``None`` for external ones) and its fragment."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or target.startswith(("mailto:", "data:", "javascript:")):
        return None, ""
    if not parts.path:
        return page, parts.fragment
    resolved = (page.parent / unquote(parts.path)).resolve()
    if resolved.is_dir():
        resolved = resolved / "index.html"
    return resolved, parts.fragment


def serve(root: Path) -> tuple[http.server.ThreadingHTTPServer, int]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, server.server_address[1]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def rendered_dom(chromium: str, url: str, profile: Path, screenshot: Path | None = None) -> str:
    command = [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--dump-dom", url]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed on {url} (exit {result.returncode}): {result.stderr[-500:]}")
    if screenshot is not None:
        subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--window-size=1280,2400",
                        f"--screenshot={screenshot}", url], capture_output=True, timeout=120)
    return result.stdout


def check_static(root: Path, pages: list[Path]) -> list[str]:
    problems = []
    parsed = {page: parse(page) for page in pages}
    for page, parser in parsed.items():
        name = page.relative_to(root)
        for kind, source in parser.resources:
            if urlsplit(source).scheme in ("http", "https") or source.startswith("//"):
                problems.append(f"{name}: {kind} loaded from another host, so the page needs a network: {source}")
        for target in parser.links + parser.images + [source for _, source in parser.resources]:
            resolved, fragment = resolve(page, target, root)
            if resolved is None:
                continue
            if not resolved.exists():
                problems.append(f"{name}: broken link {target} (no file {resolved})")
                continue
            if fragment and resolved.suffix == ".html":
                target_ids = parsed[resolved].ids if resolved in parsed else parse(resolved).ids
                if fragment not in target_ids:
                    problems.append(f"{name}: broken anchor {target} (no id {fragment!r} in {resolved.name})")
        for source in parser.images:
            resolved, _ = resolve(page, source, root)
            if resolved is not None and resolved.exists() and resolved.stat().st_size < 1000:
                problems.append(f"{name}: image {source} is only {resolved.stat().st_size} bytes")
        if parser.code_cells and not parser.images:
            problems.append(f"{name}: chapter page has {parser.code_cells} code cells but no figure")
    return problems


def check_rendered(root: Path, pages: list[Path], chromium: str, screenshots: Path | None) -> list[str]:
    problems = []
    server, port = serve(root)
    try:
        with tempfile.TemporaryDirectory() as profile:
            for page in pages:
                parser = parse(page)
                name = page.relative_to(root).as_posix()
                if parser.math == 0:
                    continue
                shot = screenshots / (name.replace("/", "__") + ".png") if screenshots else None
                dom = rendered_dom(chromium, f"http://127.0.0.1:{port}/{name}", Path(profile), shot)
                typeset = dom.count("<mjx-container")
                if typeset < parser.math:
                    problems.append(f"{name}: {parser.math} math elements but only {typeset} typeset by MathJax")
                if re.search(r"\\\(|\\\[", dom.split("<body", 1)[-1]) and typeset < parser.math:
                    problems.append(f"{name}: raw TeX delimiters left in the rendered page")
    finally:
        server.shutdown()
    return problems


def main() -> int:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("html", type=Path, help="the built site, for example _build/html")
    arguments.add_argument("--screenshots", type=Path, help="folder for one PNG screenshot per page with math")
    arguments.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium",
                           help="the Chromium executable (default: chromium on PATH)")
    options = arguments.parse_args()

    root = options.html.resolve()
    if not (root / "index.html").exists():
        print(f"no built book at {root}: run `make book` first", file=sys.stderr)
        return 1
    if not Path(options.chromium).exists():
        print(f"Chromium not found at {options.chromium}; install it (Debian: apt-get install chromium) "
              "or pass --chromium PATH", file=sys.stderr)
        return 1
    if options.screenshots:
        options.screenshots.mkdir(parents=True, exist_ok=True)

    pages = sorted(page for page in root.rglob("*.html")
                   if page.name not in SKIPPED_PAGES and not page.relative_to(root).parts[0].startswith("_"))
    problems = check_static(root, pages) + check_rendered(root, pages, options.chromium, options.screenshots)
    for problem in problems:
        print(problem)
    checked = sum(parse(page).math > 0 for page in pages)
    print(f"site check: {len(pages)} pages, {checked} rendered with math, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
