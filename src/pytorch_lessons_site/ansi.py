"""Terminal text (tracebacks, progress bars) to HTML: nbconvert's ``ansi2html``, after ``\\r``
rewinds the line as a terminal would."""

from __future__ import annotations

from nbconvert.filters.ansi import ansi2html


def collapse_carriage_returns(text: str) -> str:
    """Keep what a terminal would show: on each line, only the text after the last ``\\r``.

    Progress bars (tqdm) redraw themselves with ``\\r``; a stored output holds every frame.
    """
    lines = []
    for line in text.split("\n"):
        if "\r" in line:
            frames = [frame for frame in line.split("\r") if frame]
            line = frames[-1] if frames else ""
        lines.append(line)
    return "\n".join(lines)


def ansi_to_html(text: str) -> str:
    """Escape ``text`` for HTML, ANSI colours becoming ``<span class="ansi-red-fg">`` and the
    like (nbconvert's classes, which the site's stylesheet colours for both themes)."""
    return str(ansi2html(collapse_carriage_returns(text)))
