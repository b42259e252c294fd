"""Build the course's web site into build/site/, from the committed notebooks and their saved outputs.

    make site                          # the same, in its own virtualenv (.venv-site)
    .venv-site/bin/python site/build.py [--hub https://hub.example.org]

Nothing is executed: every lesson, lab and solution becomes a page with its saved outputs. The sources are
assembled in build/site-src/: Sphinx's configuration (site/conf.py), an index with the course's parts
(labkit/authoring/course_map.py), the notebooks (a widget's saved HTML stands in for the widget, which
needs a kernel), and Mermaid's script from npm's package, so that no page fetches anything from
another server. Sphinx runs with warnings as errors. The build's time, page count and size go to
build/site/build-stats.json.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "site"  # beside it: site-src/ (the sources), site-doctrees/, jupyter_execute/ (MyST-NB's)
NPM_CACHE = ROOT / "build" / "site-npm"
MERMAID = "11.12.1"  # npm's mermaid: its ES module build and the chunks it imports
MERMAID_INTEGRITY = "sha512-UlIZrRariB11TY1RtTgUWp65tphtBv4CSq7vyS2ZZ2TgoMjs2nloq+wFqxiwcxlhHUvs7DPGgMjs2aeQxz5h9g=="
FOLDERS = {"notebooks": "Lessons", "labs": "Labs", "solutions": "Solutions"}
# where the course's repository is, as conf.py reads it (the workflow sets both for a fork)
REPOSITORY = os.environ.get("ORDERUP_SITE_REPOSITORY", "https://github.com/order-up/order-up")
BRANCH = os.environ.get("ORDERUP_SITE_BRANCH", "main")


def course_map():
    """labkit/authoring/course_map.py, read on its own (labkit's package needs the course's packages)."""
    spec = importlib.util.spec_from_file_location("course_map", ROOT / "labkit" / "authoring" / "course_map.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def widgets_as_html(notebook) -> None:
    """Each widget output whose saved state holds HTML (labkit's live boards: an HTML widget) shows that
    HTML, as it looked when the notebook was saved; the widget itself needs a kernel."""
    state = notebook.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {}).get("state", {})
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).pop("application/vnd.jupyter.widget-view+json", None)
            if view is None:
                continue
            model = state.get(view.get("model_id"), {}).get("state", {})
            if isinstance(model.get("value"), str) and model.get("_model_name") == "HTMLModel":
                output["data"]["text/html"] = model["value"]
    notebook.metadata.pop("widgets", None)


def outside_links_to_the_repository(notebook, files: str) -> None:
    """A link from a notebook to a course file the site has no page for (`../INSTRUCTORS.md`) goes to
    that file in the repository."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(r"\]\(\.\./(?![^)]*\.ipynb\))([^)\s]+)\)", rf"]({files}/\1)",
                                 cell.source)


def mermaid_tarball() -> Path:
    """npm's mermaid package, fetched once into build/site-npm/ with `npm pack` (which follows the
    machine's npm configuration: a mirror, a proxy) and checked against the registry's integrity."""
    tarball = NPM_CACHE / f"mermaid-{MERMAID}.tgz"
    if not tarball.exists():
        if shutil.which("npm") is None:
            raise SystemExit("The site needs npm, to fetch Mermaid's script (npm's mermaid package) once: "
                             "install it (Debian: apt install npm) and run make site again.")
        NPM_CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "pack", f"mermaid@{MERMAID}", "--silent", "--pack-destination", str(NPM_CACHE)],
                       check=True, stdout=subprocess.DEVNULL)
    digest = "sha512-" + base64.b64encode(hashlib.sha512(tarball.read_bytes()).digest()).decode()
    if digest != MERMAID_INTEGRITY:
        tarball.unlink()  # a partial or altered download: fetched again next time
        raise SystemExit(f"{tarball.name} is not npm's mermaid {MERMAID} (its sha512 differs); run make site again.")
    return tarball


def mermaid_script(static: Path) -> None:
    """Mermaid's ES module build, and the chunks it imports, into _static/mermaid/."""
    target = static / "mermaid"
    with tarfile.open(mermaid_tarball()) as packed:
        for member in packed.getmembers():
            name = member.name.removeprefix("package/dist/")
            if member.isfile() and (name == "mermaid.esm.min.mjs" or name.startswith("chunks/mermaid.esm.min/")):
                path = target / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(packed.extractfile(member).read())


def index_page(cm) -> str:
    """The home page: what the course is, its three ways of use, and the parts as the navigation."""
    titles = {}
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")):
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0]
        titles[path.name[:2]] = first.lstrip("# ").strip()
    lines = [
        "# Order Up!", "",
        "A hands-on course, in JupyterLab, on how **Django**, **Celery**, **Redis** and **Django Channels**",
        "(Daphne, WebSockets) work together, for people who can write a Django CRUD app and have never",
        "seen a distributed system. *Separate programs never call each other; they leave messages in Redis,",
        "and you will see every one of them yourself.*", "",
        "Every page here is a notebook as the course ships it, with the outputs of a real run: a real Redis,",
        "Celery worker, beat and Daphne, started from its cells. To run one, use the buttons at the top of",
        "its page (Binder, or your workshop's JupyterHub), or on your own machine (Linux, macOS, or WSL 2 on",
        "Windows), from the course's folder:", "",
        "```bash", "make lab    # installs everything into .venv/ and opens lesson 00 in JupyterLab",
        "make test   # optional: every test of the course", "```", "",
        "Each lesson has a lab: exercises with checks and hints, and their solutions.", "",
    ]
    for number, (title, lessons) in enumerate(cm.PARTS, 1):
        lines += [f"## Part {number} · {title}", ""]
        lines += [f"- [{titles[n]}](notebooks/{name(n)})" for n in lessons] + [""]
        lines += ["```{toctree}", ":hidden:", f":caption: Part {number} · {title}", ""]
        lines += [f"notebooks/{name(n)}" for n in lessons] + ["```", ""]
    for folder in ("labs", "solutions"):
        lines += ["```{toctree}", ":hidden:", ":titlesonly:", f":caption: {FOLDERS[folder]}", ""]
        lines += [f"{folder}/{p.stem}" for p in sorted((ROOT / folder).glob("[0-9][0-9]-*.ipynb"))] + ["```", ""]
    return "\n".join(lines)


def name(number: str) -> str:
    return next((ROOT / "notebooks").glob(f"{number}-*.ipynb")).stem


def assemble(src: Path) -> int:
    """The sources (build/site-src/) from nothing; returns how many notebooks they hold."""
    shutil.rmtree(src, ignore_errors=True)
    src.mkdir(parents=True)
    shutil.copy(ROOT / "site" / "conf.py", src / "conf.py")
    for folder in ("_templates", "_static"):
        shutil.copytree(ROOT / "site" / folder, src / folder)
    mermaid_script(src / "_static")
    count = 0
    for folder in FOLDERS:
        (src / folder).mkdir()
        for path in sorted((ROOT / folder).glob("[0-9][0-9]-*.ipynb")):
            notebook = nbformat.read(path, as_version=4)
            widgets_as_html(notebook)
            outside_links_to_the_repository(notebook, f"{REPOSITORY}/blob/{BRANCH}")
            nbformat.write(notebook, src / folder / path.name)
            count += 1
    (src / "index.md").write_text(index_page(course_map()))
    return count


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hub", default=os.environ.get("ORDERUP_SITE_HUB", ""),
                        help="a JupyterHub's address: each page gets an nbgitpuller link to it")
    parser.add_argument("--out", type=Path, default=OUT, help="the site's folder (default build/site)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    started = time.monotonic()
    notebooks = assemble(out.with_name(out.name + "-src"))
    for folder in (out, out.with_name(out.name + "-doctrees"), out.parent / "jupyter_execute"):
        shutil.rmtree(folder, ignore_errors=True)
    # conf.py reads where the repository is (its launch buttons) as this script does
    env = {**os.environ, "ORDERUP_SITE_HUB": args.hub, "ORDERUP_SITE_REPOSITORY": REPOSITORY,
           "ORDERUP_SITE_BRANCH": BRANCH}
    done = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                           "-d", str(out.with_name(out.name + "-doctrees")), str(out.with_name(out.name + "-src")),
                           str(out)], env=env)
    if done.returncode != 0:
        print("The site did not build: Sphinx's warnings are above (each is an error here).", file=sys.stderr)
        return done.returncode
    pages = [p for p in out.rglob("*.html") if p.parent.name in FOLDERS or p.name == "index.html" and p.parent == out]
    stats = {"seconds": round(time.monotonic() - started, 1), "notebook pages": notebooks, "pages": len(pages),
             "MiB": round(size_of(out) / 1024**2, 1)}
    (out / "build-stats.json").write_text(json.dumps(stats, indent=1) + "\n")
    print(f"Built {out}/ in {stats['seconds']} s: {stats['pages']} pages ({notebooks} notebooks and the index), "
          f"{stats['MiB']} MiB. Open {out / 'index.html'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
