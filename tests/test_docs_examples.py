"""Every example in the documentation (docs/**/*.rst) runs as a doctest.

One test per page. The pages' ``>>>`` examples run in a fresh namespace per
page, in order, with NORMALIZE_WHITESPACE and ELLIPSIS. The code of the
``.. plot::`` figures is not doctested here; the documentation build runs it.
"""
import doctest
import pathlib
import re

import pytest

import sigconv

DOCS = pathlib.Path(__file__).resolve().parent.parent / "docs"

# Sources only: the build directory and the API stubs that autosummary
# generates at build time (git-ignored) are not documentation sources.
_GENERATED = (DOCS / "_build", DOCS / "api" / "generated", DOCS / "auto_examples",
              DOCS / "gallery")   # the gallery's scripts run when the docs are built
PAGES = sorted(p for p in DOCS.rglob("*.rst")
               if not any(g in p.parents for g in _GENERATED))

FLAGS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


def test_pages_found():
    names = {p.relative_to(DOCS).as_posix() for p in PAGES}
    assert {"index.rst", "api.rst", "quickstart.rst", "modes_boundaries.rst"} <= names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_page_examples(page):
    # a page whose examples need optional packages says so in a comment:
    # ".. doctest-requires: dask.array, nibabel"
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. doctest-requires:"):
            for name in line.split(":", 1)[1].split(","):
                pytest.importorskip(name.strip())
    result = doctest.testfile(str(page), module_relative=False,
                              name=page.relative_to(DOCS).as_posix(), optionflags=FLAGS,
                              encoding="utf-8", report=True)
    assert result.attempted > 0, "%s has no example" % page.name
    assert result.failed == 0, "%d of %d examples failed in %s (output above)" % (
        result.failed, result.attempted, page.name)


def test_api_page_lists_the_public_api():
    """api.rst's autosummary names every public function, and only those."""
    text = (DOCS / "api.rst").read_text(encoding="utf-8")
    listed = set()
    for block in re.findall(r"\.\. autosummary::\n((?:\n|   .*\n)+)", text):
        listed.update(line.strip() for line in block.splitlines()
                      if line.strip() and not line.strip().startswith(":"))
    public = {name for name in sigconv.__all__ if not name.startswith("__")}
    assert listed == public
