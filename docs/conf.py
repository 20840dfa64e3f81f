"""Sphinx configuration of sigconv's documentation.

Build (sigconv must be importable, e.g. after ``pip install -e .``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The build needs no network access.
"""
import os
import sys

# Figures are drawn off-screen.
os.environ.setdefault("MPLBACKEND", "Agg")

# The helpers that draw the figures (docs/docfigures.py) are importable from
# every page's plot code.
sys.path.insert(0, os.path.abspath(os.path.dirname(__file__)))

import sigconv  # noqa: E402

project = "sigconv"
author = "the sigconv developers"
copyright = "the sigconv developers"
release = sigconv.__version__
version = ".".join(release.split(".")[:2])

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "matplotlib.sphinxext.plot_directive",
    "sphinx_gallery.gen_gallery",
]

root_doc = "index"
exclude_patterns = ["_build", "gallery"]  # the gallery sources; pages are made in auto_examples
default_role = "code"

# -- API pages ------------------------------------------------------------
autosummary_generate = True
autodoc_typehints = "none"
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

# -- doctest builder (``sphinx-build -b doctest docs docs/_build/doctest``) -
import doctest  # noqa: E402

doctest_default_flags = (doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
                         | doctest.DONT_ACCEPT_TRUE_FOR_1)

# -- figures --------------------------------------------------------------
plot_include_source = False
plot_html_show_source_link = False
plot_html_show_formats = False
plot_formats = [("png", 110)]
plot_rcparams = {"figure.autolayout": False, "savefig.bbox": "tight"}

# -- gallery (docs/gallery/plot_*.py, run at every build) -----------------
sphinx_gallery_conf = {
    "examples_dirs": "gallery",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "within_subsection_order": "FileNameSortKey",
    "download_all_examples": False,
    "remove_config_comments": True,
    "abort_on_example_error": True,
    "write_computation_times": False,
    "image_scrapers": ("matplotlib",),
    "matplotlib_animations": False,
}

# -- HTML -----------------------------------------------------------------
html_theme = "furo"
html_title = "sigconv %s" % release
html_static_path = []
