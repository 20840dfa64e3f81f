"""The example gallery: enough examples, each with a title sphinx-gallery can use.

The examples themselves run (and must not fail) when the documentation is
built; these checks keep the gallery's sources well formed.
"""
import ast
import pathlib

import pytest

GALLERY = pathlib.Path(__file__).resolve().parents[1] / "docs" / "gallery"
EXAMPLES = sorted(GALLERY.glob("plot_*.py"))


def test_the_gallery_has_at_least_ten_examples():
    assert len(EXAMPLES) >= 10, [p.name for p in EXAMPLES]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_each_example_has_a_title_and_draws_a_figure(path):
    source = path.read_text()
    doc = ast.get_docstring(ast.parse(source))
    assert doc, "%s has no module docstring" % path.name
    lines = doc.strip().splitlines()
    assert len(lines) >= 2 and set(lines[1]) == {"="} and len(lines[1]) >= len(lines[0]), \
        "%s: the first docstring line must be a title underlined with '='" % path.name
    assert "plt." in source, "%s draws no figure" % path.name
