"""The "Run this chapter" panel: the student notebook to download, the set-up commands, and
launch links (Binder, a JupyterHub through nbgitpuller, Colab).

Everything that depends on where the course lives is a site option in ``myst.yml``
(``site.options``, declared in ``template.yml``); MyST hands them to the renderer in the site's
``config.json``. With no repository configured (neither ``repository_url`` nor MyST's
``project.github``), the panel offers what needs none: the download and the local command.

The download is the student edition of ``pytorch-lessons student``
(:func:`pytorch_lessons.editions.student_notebook`), whose setup cell names the repository to
install from when there is one.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from .highlighting import highlight_code

COLAB_URL = "https://colab.research.google.com/"


@dataclass(frozen=True)
class RunSettings:
    """The site options the panel uses; empty strings mean "not configured"."""

    repository_url: str = ""  # https://github.com/OWNER/NAME (a git repository)
    branch: str = ""  # empty: the repository's default branch
    binder_url: str = ""  # a BinderHub, e.g. https://mybinder.org
    jupyterhub_url: str = ""  # a JupyterHub with nbgitpuller, e.g. https://hub.example.edu
    colab: bool = False

    @property
    def repository_name(self) -> str:
        """The folder ``git clone`` makes: the URL's last part without ``.git``."""
        last = urlsplit(self.repository_url).path.rstrip("/").rsplit("/", 1)[-1]
        return last.removesuffix(".git")

    @property
    def pip_source(self) -> str:
        """What ``pip install "pytorch-lessons @ git+..."`` installs from ("" without a
        repository)."""
        if not self.repository_url:
            return ""
        return self.repository_url + (f"@{self.branch}" if self.branch else "")


def _url_option(options: dict[str, Any], name: str, value: object = None) -> str:
    """An http(s) URL option without its trailing slash; a malformed one stops the build."""
    raw = options.get(name) if value is None else value
    text = str(raw or "").strip().rstrip("/")
    if not text:
        return ""
    parts = urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValueError(f"site option {name} must be an http(s) URL, not {text!r} (myst.yml)")
    return text


def run_settings(config: dict[str, Any]) -> RunSettings:
    """The panel's settings from MyST's ``config.json``: ``site.options``, and MyST's
    ``project.github`` as the repository when ``repository_url`` is not set."""
    options = config.get("options") or {}
    project = (config.get("projects") or [{}])[0]
    repository = _url_option(options, "repository_url")
    github = str(project.get("github") or "").strip()
    if not repository and github:
        if "://" not in github:  # MyST also accepts OWNER/NAME
            github = f"https://github.com/{github.strip('/')}"
        repository = _url_option(options, "repository_url", github)
    return RunSettings(
        repository_url=repository,
        branch=str(options.get("repository_branch") or "").strip(),
        binder_url=_url_option(options, "binder_url"),
        jupyterhub_url=_url_option(options, "jupyterhub_url"),
        colab=options.get("colab") is True,
    )


@dataclass(frozen=True)
class Chapter:
    """The chapter a panel is for: its notebook's file name and its path in the repository."""

    file_name: str  # 01-tensors.ipynb
    path: str  # book/01-tensors.ipynb


def binder_link(settings: RunSettings, chapter: Chapter) -> str | None:
    """Binder on the repository, opening the chapter in ``student/`` (``postBuild`` writes the
    student edition there); ``None`` unless both a BinderHub and a repository are set."""
    if not (settings.binder_url and settings.repository_url):
        return None
    ref = quote(settings.branch or "HEAD", safe="")
    parts = urlsplit(settings.repository_url)
    path = parts.path.strip("/").removesuffix(".git")
    if parts.netloc == "github.com" and path.count("/") == 1:
        spec = f"gh/{path}/{ref}"
    else:
        spec = f"git/{quote(settings.repository_url, safe='')}/{ref}"
    query = urlencode({"urlpath": f"lab/tree/student/{chapter.file_name}"})
    return f"{settings.binder_url}/v2/{spec}?{query}"


def jupyterhub_link(settings: RunSettings, chapter: Chapter) -> str | None:
    """An nbgitpuller link: the hub pulls the repository into the user's home (a folder named
    like the repository) and opens the chapter there (``book/``: a pulled clone has no
    ``student/``); ``None`` unless both a hub and a repository are set."""
    if not (settings.jupyterhub_url and settings.repository_url):
        return None
    query = {"repo": settings.repository_url}
    if settings.branch:
        query["branch"] = settings.branch
    query["urlpath"] = f"lab/tree/{settings.repository_name}/{chapter.path}"
    return f"{settings.jupyterhub_url}/hub/user-redirect/git-pull?{urlencode(query)}"


def colab_link(settings: RunSettings) -> str | None:
    """Colab, where a reader uploads the student notebook (Colab opens notebooks from GitHub
    only as they are there, and the repository holds the instructor's); its setup cell then
    names the ``pip install`` line. ``None`` unless enabled and a repository is set."""
    return COLAB_URL if settings.colab and settings.repository_url else None


def student_download(notebook_json: bytes, settings: RunSettings) -> bytes:
    """The student edition of a chapter notebook, as ``pytorch-lessons student`` writes it,
    its setup cell pointing at the repository when one is set."""
    import nbformat

    from pytorch_lessons.editions import student_notebook

    notebook = nbformat.reads(notebook_json.decode("utf-8"), as_version=4)
    student = student_notebook(notebook, settings.pip_source or None)
    return (nbformat.writes(student) + "\n").encode("utf-8")


def _commands(lines: list[str]) -> str:
    """Shell commands as a code block with the site's copy button (``site.js``)."""
    body = highlight_code("\n".join(lines), "bash")
    return (
        '<div class="code-block run-commands" data-lang="bash">'
        '<button class="copy-button" type="button" aria-label="Copy the commands"'
        ' title="Copy">Copy</button>'
        f'<pre class="highlight"><code>{body}</code></pre></div>'
    )


def run_panel(settings: RunSettings, chapter: Chapter, download_href: str | None) -> str:
    """The panel's HTML, shown between a chapter's title and its text."""
    esc = html.escape
    name = esc(chapter.file_name)
    actions = []
    if download_href:
        actions.append(
            f'<a class="download-notebook" href="{esc(download_href)}" download="{name}">'
            f'Student notebook <span class="file-name">{name}</span></a>'
        )
    launches = [
        (label, href)
        for label, href in (
            ("Binder", binder_link(settings, chapter)),
            ("JupyterHub", jupyterhub_link(settings, chapter)),
            ("Colab", colab_link(settings)),
        )
        if href
    ]
    if launches:
        links = "".join(
            f'<li><a class="run-launch" href="{esc(href)}" rel="noopener">{label}</a></li>'
            for label, href in launches
        )
        actions.append(
            f'<div class="run-launches"><span class="run-launch-label">Open in</span>'
            f"<ul>{links}</ul></div>"
        )
    parts = [
        '<section class="run-panel" aria-labelledby="run-panel-title">',
        '<h2 id="run-panel-title" class="run-panel-title">Run this chapter</h2>',
    ]
    if actions:
        parts.append(f'<div class="run-actions">{"".join(actions)}</div>')
    if settings.repository_url:
        repo = esc(settings.repository_url)
        clone = "git clone "
        clone += f"--branch {settings.branch} " if settings.branch else ""
        clone += settings.repository_url
        commands = [clone, f"cd {settings.repository_name} && make lab"]
        where = (
            f'On your computer (Python ≥ 3.11), from <a href="{repo}" rel="noopener">'
            "the repository</a>:"
        )
    else:
        commands = ["make lab"]
        where = "On your computer (Python ≥ 3.11), in the course folder:"
    parts += [
        f'<p class="run-where">{where}</p>',
        _commands(commands),
        '<p class="run-note"><code>make lab</code> opens JupyterLab on <code>student/</code>, the'
        f' chapters without solutions: open <code class="file">{name}</code>.</p>',
    ]
    if settings.repository_url:
        pip = esc(f'%pip install "pytorch-lessons @ git+{settings.pip_source}"')
        parts.append(
            '<p class="run-note">The student notebook in Colab (File ▸ Upload notebook) or another'
            f' Jupyter: first <code class="run-pip">{pip}</code>, then restart the kernel.</p>'
        )
    parts.append("</section>")
    return "".join(parts)
