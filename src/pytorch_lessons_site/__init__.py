"""The book's static site: MyST's site JSON rendered to offline HTML (no CDN, no Node theme).

``myst build --html`` runs ``python -m pytorch_lessons_site`` (see ``template.yml``); the
modules, one concern each:

- :mod:`.source` -- reading ``_build/site`` (or MyST's content server);
- :mod:`.render` -- MyST AST nodes to HTML; :mod:`.outputs` -- notebook outputs;
  :mod:`.gates` -- exercises that wrap code cells; :mod:`.ansi`, :mod:`.highlighting`;
- :mod:`.links` -- page and asset links; :mod:`.page` -- the page shell (navigation, search);
- :mod:`.build` -- the whole site.
"""

from __future__ import annotations

from .build import build_site

__all__ = ["build_site"]
