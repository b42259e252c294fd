"""Sphinx's configuration for the course's web site: the committed notebooks with their saved outputs,
never executed (site/build.py assembles the sources and runs Sphinx; `make site`)."""
import os

project = "Order Up!"
author = "the Order Up! authors"
copyright = "the Order Up! authors"

extensions = ["myst_nb", "sphinxcontrib.mermaid"]
templates_path = ["_templates"]
html_static_path = ["_static"]
html_css_files = ["course.css"]
exclude_patterns = ["_build"]

# The notebooks as committed, outputs and all: nothing is run (the suite runs them, nbval compares).
nb_execution_mode = "off"
# A cell's Markdown output (the order's trail draws a Mermaid diagram with one) is read as MyST, whose
# ```mermaid fence is sphinxcontrib-mermaid's directive.
nb_render_markdown_format = "myst"
myst_fence_as_directive = ["mermaid"]
myst_heading_anchors = 3
# Mermaid from _static (npm's mermaid package, copied there by build.py): no page fetches anything from
# another server.
mermaid_use_local = "mermaid/mermaid.esm.min.mjs"
mermaid_fullscreen = False

html_theme = "sphinx_book_theme"
html_title = "Order Up!"
html_last_updated_fmt = None
html_context = {"default_mode": "auto"}  # light or dark, as the reader's system says
html_theme_options = {
    # where the course's repository is: site/build.py says (ORDERUP_SITE_REPOSITORY and _BRANCH, for a fork)
    "repository_url": os.environ["ORDERUP_SITE_REPOSITORY"],
    "repository_branch": os.environ["ORDERUP_SITE_BRANCH"],
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {
        "binderhub_url": "https://mybinder.org",
        # a workshop's hub: set once, `make site HUB=https://hub.example.org` (nbgitpuller links)
        "jupyterhub_url": os.environ.get("ORDERUP_SITE_HUB", ""),
        "notebook_interface": "jupyterlab",
    },
    "article_footer_items": ["on-your-machine.html"],  # at the end of each notebook page
    "show_toc_level": 2,
}
