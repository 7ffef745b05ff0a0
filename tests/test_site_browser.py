"""Drive the built site in Debian's Chromium (Playwright): pages load cleanly, search, solutions,
sliders, navigation, phone width. Screenshots go to ``_build/html/_screenshots/``.

Two sites are served: the real book (built once by ``test_site_build.build_book_site``) and a
small demo site rendered from hand-written MyST JSON, which always has an MNIST page, a
solution, a hand-written slider and a MyST ``{anywidget}`` widget, so every mechanism is
exercised whatever the book holds. Chromium must be installed (``apt-get install chromium``): without it these
tests fail, they do not skip.
"""

from __future__ import annotations

import functools
import http.server
import io
import json
import math
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from pytorch_lessons_site.build import build_site
from pytorch_lessons_site.source import DirectorySource
from tests.test_site_build import build_book_site, toc_pages

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SLIDER = ".output.html input[type=range]"
# What the reader sees of an output: its visible text and which of its images are showing.
SHOWN = """input => {
  const box = input.closest('.output');
  const images = [...box.querySelectorAll('img')].filter(i => i.offsetParent !== null);
  return box.innerText + '|' + images.map(i => i.src.length + ':' + i.src.slice(-48)).join(',');
}"""


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, without a log line per request."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        pass


@dataclass
class Served:
    """A site folder served over HTTP on 127.0.0.1."""

    root: Path
    base: str

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def pages(self) -> list[str]:
        return sorted(p.name for p in self.root.glob("*.html"))


def serve(root: Path) -> Iterator[Served]:
    handler = functools.partial(QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(root, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched by Playwright (never a downloaded browser)."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the site's browser tests need it. Install it with "
            "`apt-get install -y chromium` (CI does). Do not run `playwright install`."
        )
    from playwright.sync_api import sync_playwright

    # One Playwright per process: other browser test modules reuse this fixture, and a second
    # sync Playwright while one runs is refused ("Sync API inside the asyncio loop").
    if not _SHARED_BROWSER:
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        _SHARED_BROWSER.update(playwright=playwright, browser=browser, users=0)
    _SHARED_BROWSER["users"] += 1
    try:
        yield _SHARED_BROWSER["browser"]
    finally:
        _SHARED_BROWSER["users"] -= 1
        if _SHARED_BROWSER["users"] == 0:
            _SHARED_BROWSER["browser"].close()
            _SHARED_BROWSER["playwright"].stop()
            _SHARED_BROWSER.clear()


_SHARED_BROWSER: dict[str, Any] = {}


@pytest.fixture(scope="session")
def book() -> Iterator[Served]:
    yield from serve(build_book_site()[0])


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    root = tmp_path_factory.mktemp("demo-site")
    write_demo_site(root / "site")
    build_site(DirectorySource(root / "site"), root / "html")
    yield from serve(root / "html")


@pytest.fixture(scope="session")
def shots() -> Path:
    folder = build_book_site()[0] / "_screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@dataclass
class Tab:
    """A browser page that records console errors, page errors and failed requests."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def watch(self) -> Tab:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        self.page.on("requestfailed", self._request_failed)
        self.page.on("response", self._response)
        return self

    def _request_failed(self, request: Any) -> None:
        # a request the browser cancels because the test navigated on (a widget still loading
        # its module when "Next" is clicked) is not a failure of the site
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.problems.append(f"console error: {message.text}")

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.problems.append(f"HTTP {response.status}: {response.url}")

    def open(self, url: str) -> None:
        """Go to ``url``; return once it has loaded and site.js has laid out every cell (in
        idle moments after the load), so that nothing on the page moves any more."""
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function(ALL_LAID_OUT)


ALL_LAID_OUT = "() => !document.querySelector('.page-body > .cell:nth-child(n + 4):not(.laid-out)')"


# The site lays out a cell, checks its scroll boxes and starts its widgets only when the cell
# comes near the screen: read_to_the_end() scrolls the page down a screen at a time (two frames
# each, for the observers), as a reader would, then back to the top. With every_cell, each cell
# is kept laid out (`content-visibility: visible`, as in print), for checks that measure or
# audit all of the page at once.
_READ_TO_THE_END = """async (everyCell) => {
  if (everyCell) {
    const style = document.createElement('style');
    style.textContent = '.page-body > .cell { content-visibility: visible !important; }';
    document.head.append(style);
  }
  const frames = () => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
  for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight / 2) {
    scrollTo(0, y);
    await frames();
  }
  scrollTo(0, 0);
  await frames();
}"""


def read_to_the_end(page: Any, every_cell: bool = False) -> None:
    page.evaluate(_READ_TO_THE_END, every_cell)


@pytest.fixture(scope="session")
def desktop(chromium: Any) -> Iterator[Any]:
    """One desktop-sized browser context for the session (a fresh page per test)."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    try:
        yield context
    finally:
        context.close()


@pytest.fixture
def tab(desktop: Any) -> Iterator[Tab]:
    page = desktop.new_page()
    try:
        yield Tab(page).watch()
    finally:
        page.close()


def broken_images(tab: Tab) -> list[str]:
    """The images of the page that do not load. Lazy images load as the reader scrolls to
    them: they are asked for now (as eager ones) and waited for, then checked like the rest."""
    tab.page.eval_on_selector_all(
        "img[loading=lazy]", "els => els.forEach(e => e.loading = 'eager')"
    )
    tab.page.wait_for_function("[...document.images].every(e => e.complete)")
    return tab.page.eval_on_selector_all(
        "img", "els => els.filter(e => !(e.complete && e.naturalWidth > 0)).map(e => e.src)"
    )


def check_pages_load_cleanly(site: Served, tab: Tab, shots: Path, prefix: str) -> None:
    for name in site.pages():
        tab.problems.clear()
        tab.open(site.url(name))
        assert not tab.problems, f"{prefix}{name}: " + "; ".join(tab.problems)
        assert not broken_images(tab), f"{prefix}{name}: images not loading"
        shot = shots / f"{prefix}{Path(name).stem}.jpg"  # full page: JPEG is much faster
        tab.page.screenshot(path=str(shot), full_page=True, type="jpeg", quality=80)


# ---------------------------------------------------------------- the real book


def test_book_pages_load_without_errors_and_images_load(book: Served, tab: Tab, shots: Path):
    names = [name for name, _ in toc_pages()]
    assert sorted(names) == book.pages()
    check_pages_load_cleanly(book, tab, shots, prefix="")


def test_book_search_finds_the_mnist_chapter(book: Served, tab: Tab, shots: Path) -> None:
    mentions = [
        (name, doc)
        for name, doc in toc_pages()
        if "mnist" in (book.root / name).read_text(encoding="utf-8").lower()
    ]
    if not mentions:
        pytest.skip("no toc page mentions MNIST yet")
    titled = [name for name, doc in mentions if "mnist" in doc["frontmatter"]["title"].lower()]
    expected = titled or [name for name, _ in mentions]
    search_for(tab, book.url("index.html"), "MNIST", expected, shots / "search-mnist.png")


def test_book_previous_next_navigation(book: Served, tab: Tab) -> None:
    names = [name for name, _ in toc_pages()]
    if len(names) < 2:
        pytest.skip("the book has a single page")
    tab.open(book.url(names[0]))
    for name in names[1:]:
        tab.page.click("a[rel=next]")
        expect(tab.page).to_have_url(ends_with(name))  # the new page is the current document
        tab.page.wait_for_load_state("load")  # ... and loaded, images included
        expect(tab.page.locator(".sidebar a[aria-current=page]")).to_have_attribute("href", name)
    for name in reversed(names[:-1]):
        tab.page.click("a[rel=prev]")
        expect(tab.page).to_have_url(ends_with(name))
        tab.page.wait_for_load_state("load")
    expect(tab.page.locator("a[rel=prev]")).to_have_count(0)
    assert not tab.problems


def test_book_solutions_open_on_click(book: Served, tab: Tab, shots: Path) -> None:
    pages = [
        n for n in book.pages() if '<details class="solution' in (book.root / n).read_text("utf-8")
    ]
    if not pages:
        pytest.skip("no solutions in the book yet (the demo site test covers the mechanism)")
    open_first_solution(tab, book.url(pages[0]), shots / "solution-open.png")


# what a widget shows: its SVG and text, and the pixels of its canvases
DRAWN = "el => el.innerHTML + [...el.querySelectorAll('canvas')].map(c => c.toDataURL()).join()"


def test_book_widgets_run_from_the_stored_state_and_every_slider_steps(
    book: Served, tab: Tab, shots: Path
) -> None:
    """Each anywidget widget starts on the page with no kernel; each of its sliders redraws the
    picture on every single arrow-key step (continuous, not a few presets), and no request
    leaves the site."""
    pages = [n for n in book.pages() if "pl-anywidget" in (book.root / n).read_text("utf-8")]
    assert pages, "the book shows its widgets on the site"
    requests: list[str] = []
    tab.page.on("request", lambda request: requests.append(request.url))
    for name in pages:
        tab.open(book.url(name))
        widgets = tab.page.locator(".pl-anywidget")
        for index in range(widgets.count()):
            widget = widgets.nth(index)
            widget.scroll_into_view_if_needed()
            expect(widget).to_have_attribute("data-pl-ready", "1")
            sliders = widget.locator("input[type=range]")
            for k in range(sliders.count()):
                slider = sliders.nth(k)
                slider.press("Home")
                for step in range(3):
                    before = widget.evaluate(DRAWN)
                    slider.press("ArrowRight")
                    after = widget.evaluate(DRAWN)
                    assert after != before, f"{name}: widget {index}, slider {k}, step {step}"
            widget.screenshot(path=str(shots / f"widget-{Path(name).stem}-{index}.png"))
    assert not tab.problems, tab.problems
    outside = [u for u in requests if not u.startswith((book.url(""), "blob:", "data:"))]
    assert not outside, outside


def test_book_at_phone_width_dark_mode_and_theme_toggle(chromium: Any, book: Served, shots: Path):
    context = chromium.new_context(
        viewport={"width": 390, "height": 844}, color_scheme="dark", is_mobile=True
    )
    try:
        tab = Tab(context.new_page()).watch()
        for name in book.pages():
            tab.open(book.url(name))
            overflow = tab.page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            assert overflow <= 1, f"{name} scrolls sideways at phone width ({overflow}px)"
            tab.page.screenshot(path=str(shots / f"phone-dark-{Path(name).stem}.png"))
        sidebar_x = "document.querySelector('#sidebar').getBoundingClientRect().x"
        assert tab.page.evaluate(sidebar_x) < 0  # off-canvas until the menu button is used
        tab.page.click(".nav-toggle")
        tab.page.wait_for_function(f"{sidebar_x} >= 0")  # it slides in
        tab.page.screenshot(path=str(shots / "phone-dark-menu-open.png"))
        background = "getComputedStyle(document.body).backgroundColor"
        dark = tab.page.evaluate(background)
        toggle = tab.page.locator(".theme-toggle")
        expect(toggle).to_have_attribute("aria-pressed", "true")  # dark, from the system
        toggle.click()
        expect(tab.page.locator("html")).to_have_attribute("data-theme", "light")
        expect(toggle).to_have_attribute("aria-pressed", "false")
        tab.page.wait_for_function(f"{background} !== {json.dumps(dark)}")
        assert not tab.problems, tab.problems
    finally:
        context.close()


def test_book_works_opened_from_disk(book: Served, tab: Tab) -> None:
    """Opened as file:// pages (no server at all), pages and search still work."""
    names = [name for name, _ in toc_pages()]
    for name in {names[0], names[-1]}:
        tab.open((book.root / name).as_uri())
        assert not broken_images(tab), f"{name}: images not loading from disk"
    assert not tab.problems, tab.problems
    title = toc_pages()[-1][1]["frontmatter"]["title"]
    word = max(re.findall(r"[A-Za-z]{4,}", title) or ["the"], key=len)
    tab.page.fill("#search-input", word)
    tab.page.wait_for_selector("#search-results a")


def test_book_print_layout_hides_chrome_and_unclips_outputs(book: Served, tab: Tab) -> None:
    names = [name for name, _ in toc_pages()]
    tab.open(book.url(names[-1]))
    tab.page.emulate_media(media="print")
    for chrome in (".top-bar", ".sidebar", ".page-toc", ".prev-next"):
        for index in range(tab.page.locator(chrome).count()):
            expect(tab.page.locator(chrome).nth(index)).to_have_css("display", "none")
    tab.page.wait_for_function(
        "[...document.querySelectorAll('pre.output')]"
        ".every(e => getComputedStyle(e).maxHeight === 'none')"
    )
    tab.page.emulate_media(media="screen")


def test_book_cells_are_laid_out_after_the_load_then_every_widget_starts(
    book: Served, tab: Tab
) -> None:
    """A long chapter lays out its first cells at once and the others in idle moments after
    the load (until then the browser skips them: ``content-visibility: auto``); then every
    widget starts, also those far down that the reader has not scrolled to (a printed
    chapter shows them)."""
    page = tab.page
    page.goto(book.url("mnist.html"))  # the prediction explorer and the pad, far down
    page.wait_for_function(ALL_LAID_OUT)  # every cell, without scrolling
    visibility = """c => {
      const was = c.classList.contains('laid-out');
      c.classList.remove('laid-out');
      const before = getComputedStyle(c).contentVisibility;
      if (was) c.classList.add('laid-out');
      return [before, getComputedStyle(c).contentVisibility];
    }"""
    cells = page.locator(".page-body > .cell")
    assert cells.nth(0).evaluate(visibility) == ["visible", "visible"]
    assert cells.nth(3).evaluate(visibility) == ["auto", "visible"]
    last = page.locator(".pl-anywidget").last
    expect(last).to_have_attribute("data-pl-ready", "1")
    assert last.evaluate("e => e.getBoundingClientRect().top > 3 * innerHeight")  # not scrolled
    assert page.evaluate("scrollY") == 0
    assert not tab.problems, tab.problems


def test_book_link_to_a_section_far_down_lands_on_it_and_stays(book: Served, tab: Tab) -> None:
    """The cells above a link's target are laid out after it has scrolled there (see the test
    above): the target stays where the link put it, under the top bar."""
    page = tab.page
    page.goto(book.url("mnist.html#exercises"), wait_until="load")
    page.wait_for_function(ALL_LAID_OUT)
    bar = page.evaluate("document.querySelector('.top-bar').getBoundingClientRect().bottom")
    top = page.evaluate("document.getElementById('exercises').getBoundingClientRect().top")
    assert page.evaluate("scrollY") > 5 * page.viewport_size["height"]  # far down the page
    assert bar - 1 <= top <= bar + 40, (bar, top)
    assert not tab.problems, tab.problems


def test_book_jumps_right_after_the_load_reach_their_target(book: Served, tab: Tab) -> None:
    """Before site.js has laid out every cell, a click on the last "On this page" link and
    the End key still end where they should: each lays the rest out first."""
    page = tab.page
    page.goto(book.url("mnist.html"), wait_until="domcontentloaded")
    href = page.locator(".page-toc a").last.get_attribute("href")
    assert href and page.evaluate(ALL_LAID_OUT) is False  # still cells to lay out
    page.click(f".page-toc a[href='{href}']")
    page.wait_for_function(ALL_LAID_OUT)
    target = f"document.getElementById({json.dumps(href[1:])}).getBoundingClientRect()"
    at_end = "scrollY + innerHeight >= document.documentElement.scrollHeight - 2"
    assert page.evaluate(f"{target}.top >= 0 && {target}.bottom <= innerHeight")  # in view
    assert page.evaluate(at_end)  # the last section: the page scrolled as far as it goes
    page.goto(book.url("appendix.html"), wait_until="domcontentloaded")
    assert page.evaluate(ALL_LAID_OUT) is False
    page.keyboard.press("End")
    page.wait_for_function(ALL_LAID_OUT)
    page.wait_for_function(at_end)
    assert not tab.problems, tab.problems


def test_book_digit_pad_recognizes_a_drawn_one_and_zero(book: Served, tab: Tab, shots: Path):
    """Chapter 07's pad runs the trained model in the page: a vertical stroke is a 1, an
    ellipse a 0 -- drawn with the mouse, as a reader does, on the page opened from disk."""
    pages = [
        n for n in book.pages() if "pl-widget pl-digit-pad" in (book.root / n).read_text("utf-8")
    ]
    assert pages, "no page has the draw-a-digit pad"
    tab.open((book.root / pages[0]).as_uri())
    read_to_the_end(tab.page)  # a widget starts when the reader comes near it
    pad = tab.page.locator(".pl-digit-pad")
    expect(pad).to_have_attribute("data-status", "empty")
    pad.scroll_into_view_if_needed()
    answer = pad.locator(".pl-pad-answer")
    canvas = pad.locator("canvas.pl-pad-canvas")
    one = [(140.0, 40.0), (140.0, 240.0)]
    zero = [
        (140 + 60 * math.sin(2 * math.pi * k / 40), 140 - 95 * math.cos(2 * math.pi * k / 40))
        for k in range(41)
    ]
    for digit, stroke in (("1", one), ("0", zero)):
        pad.get_by_role("button", name="clear the drawing").click()
        expect(pad).to_have_attribute("data-status", "empty")
        draw_stroke(tab.page, canvas, stroke)
        expect(answer).to_have_attribute("data-prediction", digit)
        expect(pad).to_have_attribute("data-prediction", digit)
        expect(pad).to_have_attribute("data-status", "drawn")
        pad.screenshot(path=str(shots / f"digit-pad-{digit}.png"))
    assert not tab.problems, tab.problems


# Relative luminance of a CSS rgb()/rgba() colour, and the contrast ratio of two.
LUMINANCE = """c => { const [r, g, b] = c.match(/[\\d.]+/g).slice(0, 3).map(v => {
  v = v / 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b; }"""
# The words a preview template starts with: its title, caption or first paragraph.
PREVIEW_WORDS = """t => (t.content.querySelector('.preview-title, figcaption, p') || t.content)
  .textContent.trim().split(/\\s+/).slice(0, 3).join(' ')"""


def test_book_cross_reference_previews_show_on_hover_and_focus(
    chromium: Any, book: Served, shots: Path
) -> None:
    """Pointing at a cross-reference (a figure, an exercise, a chapter...) shows a preview of
    its target, readable in both themes and inside the window; keyboard focus shows it too,
    and Escape hides it. From file:// as well: the previews are in the page."""
    pages = [n for n in book.pages() if 'data-preview="xp-' in (book.root / n).read_text("utf-8")]
    assert pages, "no cross-reference on the site has a preview"
    name = "cnn.html" if "cnn.html" in pages else pages[0]
    for scheme, url in (("light", book.url(name)), ("dark", (book.root / name).as_uri())):
        context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        try:
            tab = Tab(context.new_page()).watch()
            tab.open(url)
            figures = tab.page.locator("a.xref-figure[data-preview]")
            link = (figures if figures.count() else tab.page.locator("a[data-preview]")).first
            template = f"#{link.get_attribute('data-preview')}"
            words = tab.page.eval_on_selector(template, PREVIEW_WORDS)
            assert words, f"{name}: empty preview {template}"
            popup = tab.page.locator("#xref-preview")
            link.scroll_into_view_if_needed()
            link.hover()
            expect(popup).to_be_visible()
            expect(popup).to_contain_text(words)
            expect(link).to_have_attribute("aria-describedby", "xref-preview")
            box = popup.bounding_box()
            assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280
            background = tab.page.evaluate(
                f"({LUMINANCE})(getComputedStyle(document.querySelector('#xref-preview'))"
                ".backgroundColor)"
            )
            foreground = tab.page.evaluate(
                f"({LUMINANCE})(getComputedStyle(document.querySelector('#xref-preview')).color)"
            )
            assert (background < 0.1) == (scheme == "dark"), (scheme, background)
            light, dark = max(background, foreground), min(background, foreground)
            assert (light + 0.05) / (dark + 0.05) >= 4.5
            tab.page.screenshot(path=str(shots / f"preview-{scheme}.png"))
            tab.page.keyboard.press("Escape")
            expect(popup).to_be_hidden()
            expect(link).not_to_have_attribute("aria-describedby", "xref-preview")
            tab.page.mouse.move(1, 1)
            link.focus()  # the keyboard way
            expect(popup).to_be_visible()
            expect(popup).to_contain_text(words)
            tab.page.keyboard.press("Escape")
            expect(popup).to_be_hidden()
            assert not tab.problems, tab.problems
        finally:
            context.close()


# ---------------------------------------------------------------- finding one's way

FOCUSED = "document.activeElement && document.activeElement.id === 'search-input'"


def a_chapter() -> str:
    """A chapter page with sections (the outline lists them)."""
    return next(name for name, _ in toc_pages() if name != "index.html")


def test_ctrl_k_and_slash_focus_the_search_box(book: Served, tab: Tab) -> None:
    tab.open(book.url(a_chapter()))
    search = tab.page.locator("#search-input")
    expect(search).to_have_attribute("placeholder", "Search… (Ctrl+K)")
    tab.page.locator("main").click(position={"x": 5, "y": 5})  # focus on the page, not the box
    assert not tab.page.evaluate(FOCUSED)
    tab.page.keyboard.press("Control+k")
    tab.page.wait_for_function(FOCUSED)
    tab.page.keyboard.type("tensor")
    expect(tab.page.locator("#search-results a").first).to_be_visible()
    search.fill("")
    tab.page.locator("main").click(position={"x": 5, "y": 5})
    assert not tab.page.evaluate(FOCUSED)
    tab.page.keyboard.press("/")
    tab.page.wait_for_function(FOCUSED)
    expect(search).to_have_value("")  # the "/" was not typed into the box
    assert not tab.problems, tab.problems


@pytest.mark.parametrize(("width", "narrow"), [(390, True), (1024, True), (1280, False)])
def test_the_outline_is_there_where_the_side_column_is_not(
    chromium: Any, book: Served, width: int, narrow: bool
) -> None:
    """Under 1200 px the "On this page" column is hidden and a collapsible outline opens the
    article instead; following one of its links closes it and goes to the section."""
    context = chromium.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(book.url(a_chapter()), wait_until="load")
        outline, column = page.locator("details.page-outline"), page.locator("aside.page-toc")
        if not narrow:
            expect(outline).to_be_hidden()
            expect(column).to_be_visible()
            return
        expect(column).to_be_hidden()
        expect(outline).to_be_visible()
        expect(outline).to_have_js_property("open", False)
        outline.locator("summary").click()
        expect(outline).to_have_js_property("open", True)
        link = outline.locator("a").nth(1)
        target = link.get_attribute("href") or ""
        link.click()
        expect(page).to_have_url(ends_with(target))
        expect(outline).to_have_js_property("open", False)
        expect(page.locator(f'[id="{target[1:]}"]')).to_be_in_viewport()
    finally:
        context.close()


# ---------------------------------------------------------------- the demo site (mechanisms)


def test_demo_pages_load_without_errors(demo: Served, tab: Tab, shots: Path) -> None:
    check_pages_load_cleanly(demo, tab, shots, prefix="demo-")


def test_demo_search_finds_mnist(demo: Served, tab: Tab, shots: Path) -> None:
    search_for(tab, demo.url("index.html"), "MNIST", ["mnist.html"], shots / "demo-search.png")


def test_demo_solution_opens_on_click(demo: Served, tab: Tab, shots: Path) -> None:
    open_first_solution(tab, demo.url("index.html"), shots / "demo-solution-open.png")


def test_demo_slider_changes_what_is_shown(demo: Served, tab: Tab) -> None:
    assert move_every_slider(tab, demo.url("mnist.html")) == 1


def test_demo_myst_anywidget_runs_its_module_with_its_model(demo: Served, tab: Tab) -> None:
    tab.open(demo.url("mnist.html"))
    widget = tab.page.locator(".pl-anywidget")
    expect(widget).to_have_attribute("data-pl-ready", "1")
    shown = widget.locator(".demo-widget-value")
    expect(shown).to_have_text("widget value 3")  # the directive's model
    widget.locator("input[type=range]").press("ArrowRight")
    expect(shown).to_have_text("widget value 4")
    assert not tab.problems, tab.problems


def test_demo_link_into_closed_solution_and_copy_button(demo: Served, tab: Tab) -> None:
    tab.open(demo.url("index.html#sol-square"))
    expect(tab.page.locator("#sol-square")).to_have_js_property("open", True)
    block = tab.page.locator("#sol-square .code-block")
    block.hover()
    block.locator(".copy-button").click()
    # "Copied" appears once the clipboard promise has resolved (and goes again after 1.5 s)
    expect(block.locator(".copy-button")).to_have_text("Copied")
    copied = tab.page.evaluate("navigator.clipboard.readText()")
    assert copied == "def square(x):\n    return x * x"
    assert not tab.problems, tab.problems


# ---------------------------------------------------------------- shared steps


def ends_with(name: str) -> re.Pattern[str]:
    """A URL pattern: the page ``name``, with or without a fragment or query."""
    return re.compile(re.escape(name) + r"([#?].*)?$")


def search_for(tab: Tab, start: str, query: str, expected: list[str], shot: Path) -> None:
    tab.open(start)
    tab.page.fill("#search-input", query)
    tab.page.wait_for_selector("#search-results a")
    hrefs = tab.page.eval_on_selector_all("#search-results a", "as => as.map(a => a.href)")
    pages = [re.sub(r"[#?].*$", "", href).rsplit("/", 1)[-1] for href in hrefs]
    hit = next((i for i, page in enumerate(pages) if page in expected), None)
    assert hit is not None, f"search {query!r} gave {pages}, expected one of {expected}"
    tab.page.screenshot(path=str(shot))
    tab.page.locator("#search-results a").nth(hit).click()
    expect(tab.page).to_have_url(ends_with(pages[hit]))
    tab.page.wait_for_load_state("load")
    assert not tab.problems, tab.problems


def open_first_solution(tab: Tab, url: str, shot: Path) -> None:
    tab.open(url)
    solution = tab.page.locator("details.solution").first
    body = solution.locator(".solution-body")
    expect(solution).to_have_js_property("open", False)
    expect(body).to_be_hidden()
    solution.locator("summary").click(position={"x": 12, "y": 12})
    expect(solution).to_have_js_property("open", True)
    expect(body).to_be_visible()
    solution.scroll_into_view_if_needed()
    tab.page.screenshot(path=str(shot))
    assert not tab.problems, tab.problems


def draw_stroke(page: Any, canvas: Any, points: list[tuple[float, float]]) -> None:
    """Draw through ``points`` (pad pixels, 0..280) with the mouse button held down."""
    box = canvas.bounding_box()
    scale = box["width"] / 280

    def at(x: float, y: float) -> tuple[float, float]:
        return box["x"] + x * scale, box["y"] + y * scale

    page.mouse.move(*at(*points[0]))
    page.mouse.down()
    for point in points[1:]:
        page.mouse.move(*at(*point), steps=4)
    page.mouse.up()


def move_every_slider(tab: Tab, url: str) -> int:
    """Move each slider on the page with the keyboard; what its output shows must change."""
    tab.open(url)
    sliders = tab.page.locator(SLIDER)
    for index in range(sliders.count()):
        slider = sliders.nth(index)
        slider.scroll_into_view_if_needed()
        before = slider.evaluate(SHOWN)
        at_max = slider.evaluate("s => s.value === s.max")
        slider.focus()
        slider.press("Home" if at_max else "End")
        try:  # wait for the output to change
            slider.page.wait_for_function(
                f"([input, before]) => ({SHOWN})(input) !== before",
                arg=[slider.element_handle(), before],
                timeout=5000,
            )
        except PlaywrightTimeout:
            pytest.fail(f"{url}: slider {index} did not change the output")
    assert not tab.problems, tab.problems
    return sliders.count()


# ---------------------------------------------------------------- demo site content


def _text(value: str) -> dict:
    return {"type": "text", "value": value}


def _para(*children: dict) -> dict:
    return {"type": "paragraph", "children": list(children)}


def _cell(code: str, *outputs: dict) -> dict:
    return {
        "type": "block",
        "kind": "notebook-code",
        "children": [
            {"type": "code", "lang": "python", "executable": True, "value": code},
            {
                "type": "outputs",
                "children": [{"type": "output", "jupyter_data": o} for o in outputs],
            },
        ],
    }


def _display(mime: str, item: dict) -> dict:
    return {"output_type": "display_data", "metadata": {}, "data": {mime: item}}


def _figure_png(value: float) -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(1.6, 1.2), dpi=50)
    figure.add_subplot().plot([0, 1], [0, value])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _sliders() -> list[str]:
    """A hand-written slider in an HTML output."""
    return [
        '<div><input type="range" id="demo-s" min="0" max="4" value="1">'
        '<span id="demo-v">value = 1</span></div><script>(function () {'
        'var s = document.getElementById("demo-s"), v = document.getElementById("demo-v");'
        's.addEventListener("input", function () { v.textContent = "value = " + s.value; });'
        "})();</script>"
    ]


# What MyST's {anywidget} directive points at: an ESM module, run with the directive's model.
DEMO_WIDGET = """export default { render({ model, el }) {
  const input = document.createElement("input");
  input.type = "range"; input.min = 0; input.max = 9; input.value = model.get("value");
  input.setAttribute("aria-label", "demo value");
  const shown = document.createElement("span");
  shown.className = "demo-widget-value";
  const draw = () => { shown.textContent = `widget value ${model.get("value")}`; };
  input.addEventListener("input", () => { model.set("value", Number(input.value)); });
  model.on("change:value", draw);
  draw();
  el.append(input, shown);
} };
"""


def write_demo_site(root: Path) -> None:
    """A two-page MyST site folder, as ``myst build --html`` would leave it."""
    (root / "content").mkdir(parents=True)
    (root / "public").mkdir()
    (root / "public" / "plot-1.png").write_bytes(_figure_png(2.0))
    (root / "public" / "07-mnist-1.ipynb").write_text('{"cells": []}')
    (root / "public" / "demo-widget.mjs").write_text(DEMO_WIDGET)
    config = {
        "title": "Demo",
        "projects": [
            {"index": "index", "pages": [{"slug": "mnist", "title": "Digits with MNIST"}]}
        ],
    }
    exercise = {
        "type": "exercise",
        "identifier": "ex-square",
        "html_id": "ex-square",
        "label": "ex-square",
        "enumerator": "1",
        "children": [
            {"type": "admonitionTitle", "children": [_text("Square")]},
            _para(_text("Write square(x).")),
        ],
    }
    solution = {
        "type": "solution",
        "identifier": "sol-square",
        "html_id": "sol-square",
        "children": [
            {"type": "admonitionTitle", "children": [_text("Solution to Exercise 1")]},
            _cell(
                "def square(x):\n    return x * x",
                {"output_type": "stream", "name": "stdout", "text": "ok\n"},
            ),
        ],
    }
    intro = {
        "frontmatter": {"title": "Demo book"},
        "mdast": {
            "type": "root",
            "children": [
                _para(_text("Start with "), {"type": "link", "url": "/mnist", "children": []}),
                exercise,
                solution,
            ],
        },
    }
    sliders = [_display("text/html", {"content": html}) for html in _sliders()]
    png = {"content_type": "image/png", "hash": "1", "path": "/plot-1.png"}
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20"/></svg>'
    mnist = {
        "frontmatter": {
            "title": "Digits with MNIST",
            "exports": [
                {"format": "ipynb", "filename": "07-mnist.ipynb", "url": "/07-mnist-1.ipynb"}
            ],
        },
        "mdast": {
            "type": "root",
            "children": [
                _para(_text("We classify MNIST digits.")),
                _cell("train()", {"output_type": "stream", "name": "stdout", "text": "epoch 1\n"}),
                _cell("explore()", *sliders),
                {"type": "anywidget", "esm": "/demo-widget.mjs", "model": {"value": 3}},
                _cell(
                    "plot()",
                    _display("image/png", png),
                    _display("image/svg+xml", {"content": svg}),
                ),
            ],
        },
    }
    records = [
        {"hierarchy": {"lvl1": "Demo book"}, "type": "lvl1", "url": "/", "position": 0},
        {"hierarchy": {"lvl1": "Demo book"}, "type": "content", "content": "Start", "url": "/"},
        {"hierarchy": {"lvl1": "Digits with MNIST"}, "type": "lvl1", "url": "/mnist"},
        {
            "hierarchy": {"lvl1": "Digits with MNIST"},
            "type": "content",
            "content": "We classify MNIST digits.",
            "url": "/mnist",
        },
    ]
    (root / "config.json").write_text(json.dumps(config))
    (root / "content" / "index.json").write_text(json.dumps(intro))
    (root / "content" / "mnist.json").write_text(json.dumps(mnist))
    (root / "myst.search.json").write_text(json.dumps({"version": "1", "records": records}))
