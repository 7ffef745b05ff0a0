"""Accessibility, layout and print of the built book site, in Chromium (Playwright).

- axe-core finds no serious or critical violation on any page, in the light and dark desktop
  views and on a phone, with every solution and dropdown open so that their content is
  checked too;
- no display equation or code block is cut off: each fits, or scrolls sideways in its own box
  that the keyboard reaches and that shows a scrollbar; equation numbers stay in view;
- the phone's chapter drawer takes no focus while closed; the search box is a combobox;
- printing is light in both themes, leaves the site's chrome and the widgets' controls off
  paper, and prints solutions only in the answer-key mode.

The fixtures (the served book, Chromium, a desktop tab) are the ones of
``test_site_browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import pytest
from playwright.sync_api import expect

from tests import test_site_browser as browser_tests
from tests.test_site_browser import CHROMIUM, CHROMIUM_ARGS, Served, Tab, read_to_the_end

# the fixtures of the browser tests: the served book, Chromium, a desktop tab
book = browser_tests.book
chromium = browser_tests.chromium
desktop = browser_tests.desktop
tab = browser_tests.tab

pytestmark = pytest.mark.browser

AXE = files("axe_playwright_python") / "axe.min.js"
VIEWS: dict[str, dict[str, Any]] = {
    "light": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "light"},
    "dark": {"viewport": {"width": 1280, "height": 900}, "color_scheme": "dark"},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "color_scheme": "light",
        "is_mobile": True,
    },
}
# Open every <details>, then wait two frames: site.js re-checks the boxes that now show
# (ResizeObserver callbacks run with the next frame).
OPEN_EVERYTHING = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)));
}"""
# Every box that may be too wide: its sizes, whether it scrolls sideways, and whether the
# keyboard reaches it (in the Tab order, with a role or name for screen readers).
WIDE_BOXES = """() => [...document.querySelectorAll('.math-display, .katex-display, pre')]
  .filter(e => e.getClientRects().length && e.clientWidth > 0)
  .map(e => {
    const s = getComputedStyle(e);
    return {
      where: (e.closest('[id]') || {id: '?'}).id + ' ' + e.tagName.toLowerCase() + '.'
        + [...e.classList].join('.'),
      scrollWidth: e.scrollWidth,
      clientWidth: e.clientWidth,
      scrolls: /auto|scroll/.test(s.overflowX),
      reachable: e.tabIndex >= 0 && (e.hasAttribute('role') || e.hasAttribute('aria-label')),
    };
  })"""


WIDGETS_STARTED = """() => [...document.querySelectorAll('.pl-anywidget')]
  .every(e => e.dataset.plReady || e.dataset.plError)"""


def axe_serious(page: Any) -> list[str]:
    """axe-core (its default rules) on the page, once its widgets have drawn: one line per
    serious or critical violation, its rule id and the first targets."""
    page.wait_for_function(WIDGETS_STARTED)
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}): "
        + ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture(params=list(VIEWS))
def view(request: pytest.FixtureRequest, chromium: Any) -> Iterator[tuple[str, Tab]]:
    """A fresh browser context in one of the three views, and a tab in it."""
    context = chromium.new_context(**VIEWS[request.param])
    try:
        yield request.param, Tab(context.new_page()).watch()
    finally:
        context.close()


@pytest.fixture(scope="module")
def scrollbars(chromium: Any) -> Iterator[Any]:
    """Chromium as a reader has it: Playwright hides scrollbars by default, this one not."""
    browser = chromium.browser_type.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, ignore_default_args=["--hide-scrollbars"]
    )
    try:
        yield browser
    finally:
        browser.close()


def pages_with(book: Served, marker: str) -> list[str]:
    return [n for n in book.pages() if marker in (book.root / n).read_text(encoding="utf-8")]


# ---------------------------------------------------------------- axe


def test_axe_finds_no_serious_violation_on_any_page(book: Served, view: tuple[str, Tab]) -> None:
    name, tab = view
    found = {}
    for page in book.pages():
        tab.open(book.url(page))
        tab.page.evaluate(OPEN_EVERYTHING)  # solutions and dropdowns are checked too
        read_to_the_end(tab.page, every_cell=True)  # every widget started, every cell laid out
        problems = axe_serious(tab.page)
        if problems:
            found[page] = problems
    report = "\n".join(f"{page}:\n  " + "\n  ".join(lines) for page, lines in found.items())
    assert not found, f"axe, {name} view, serious/critical violations:\n{report}"
    assert not tab.problems, tab.problems


def test_axe_with_search_results_and_the_phone_menu_open(book: Served, chromium: Any) -> None:
    context = chromium.new_context(**VIEWS["phone"])
    try:
        tab = Tab(context.new_page()).watch()
        tab.open(book.url(book.pages()[0]))
        tab.page.fill("#search-input", "tensor")
        tab.page.wait_for_selector("#search-listbox [role=option]")
        tab.page.press("#search-input", "ArrowDown")
        box = tab.page.locator("#search-results").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # not cut off
        problems = axe_serious(tab.page)
        assert not problems, "search results open:\n" + "\n".join(problems)
        tab.page.press("#search-input", "Escape")
        tab.page.click(".nav-toggle")
        expect(tab.page.locator("#sidebar")).to_be_visible()
        problems = axe_serious(tab.page)
        assert not problems, "phone menu open:\n" + "\n".join(problems)
        assert not tab.problems, tab.problems
    finally:
        context.close()


# ---------------------------------------------------------------- nothing cut off


@pytest.mark.parametrize("name", ["light", "phone"])
def test_no_equation_or_code_block_is_cut_off(book: Served, chromium: Any, name: str) -> None:
    """Each display equation and code block fits its column, or scrolls in a box of its own
    that the keyboard reaches; no equation number is pushed out of sight."""
    context = chromium.new_context(**VIEWS[name])
    clipped = []
    hidden_numbers = []
    try:
        page = context.new_page()
        for html_page in book.pages():
            page.goto(book.url(html_page), wait_until="load")
            page.evaluate(OPEN_EVERYTHING)
            read_to_the_end(page, every_cell=True)  # every box checked by site.js
            for box in page.evaluate(WIDE_BOXES):
                fits = box["scrollWidth"] <= box["clientWidth"] + 1
                if not fits and not (box["scrolls"] and box["reachable"]):
                    clipped.append(f"{html_page} {box}")
            hidden_numbers += [
                f"{html_page}: {text}"
                for text in page.evaluate(
                    """() => [...document.querySelectorAll('.eq-number')].filter(n => {
                      const r = n.getBoundingClientRect(), box = n.parentElement.getBoundingClientRect();
                      return r.width === 0 || r.left < box.left - 1 || r.right > box.right + 1
                        || r.right > document.documentElement.clientWidth;
                    }).map(n => n.textContent)"""
                )
            ]
    finally:
        context.close()
    assert not clipped, f"{name}: cut off, not a keyboard-reachable scroll box:\n" + "\n".join(
        clipped
    )
    assert not hidden_numbers, hidden_numbers


def test_the_text_column_uses_the_width_at_1280(book: Served, tab: Tab) -> None:
    """The issue measured 736 px of text beside a 224 px "On this page": most code fits now."""
    name = next(n for n in book.pages() if n != "index.html")
    tab.open(book.url(name))
    assert tab.page.locator(".page-toc").is_visible()
    assert tab.page.evaluate("document.querySelector('.article').offsetWidth") >= 790


def test_a_wide_code_block_scrolls_from_the_keyboard_with_a_scrollbar(
    book: Served, scrollbars: Any
) -> None:
    context = scrollbars.new_context(**VIEWS["phone"])
    try:
        page = context.new_page()
        page.goto(book.url(pages_with(book, 'class="code-block')[0]), wait_until="load")
        read_to_the_end(page)  # site.js checks a box as it comes near the screen
        wide = page.locator(".code-block pre.scrolls").first
        expect(wide).to_have_attribute("tabindex", "0")
        # a scrollbar that takes room (not an overlay that shows only while scrolling)
        bar = wide.evaluate("e => e.offsetHeight - e.clientHeight - e.clientTop * 2")
        assert bar >= 4, f"no visible scrollbar ({bar} px)"
        wide.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function("e => e.scrollLeft > 0", arg=wide.element_handle())
        # a block that fits is no Tab stop
        fits = page.locator(".code-block pre:not(.scrolls)").first
        assert fits.evaluate("e => e.scrollWidth <= e.clientWidth + 1")
        assert fits.get_attribute("tabindex") is None
        # the same for a wide equation, whose number stays next to it
        maths = page.locator(".katex-display.scrolls")
        if maths.count():
            math = maths.first
            assert math.evaluate("e => e.offsetHeight - e.clientHeight") >= 4
            math.focus()
            page.keyboard.press("ArrowRight")
            page.wait_for_function("e => e.scrollLeft > 0", arg=math.element_handle())
    finally:
        context.close()


# ---------------------------------------------------------------- phone menu, search box


def test_closed_phone_menu_takes_no_focus(book: Served, chromium: Any) -> None:
    context = chromium.new_context(**VIEWS["phone"])
    try:
        tab = Tab(context.new_page()).watch()
        tab.open(book.url(book.pages()[-1]))
        sidebar = tab.page.locator("#sidebar")
        expect(sidebar).to_have_js_property("inert", True)
        expect(sidebar).to_be_hidden()
        tab.page.focus(".nav-toggle")
        for _ in range(8):  # Tab on from the menu button never lands in the closed menu
            tab.page.keyboard.press("Tab")
            assert not tab.page.evaluate("document.activeElement.closest('#sidebar')")
        tab.page.click(".nav-toggle")
        expect(sidebar).to_be_visible()
        expect(sidebar).to_have_js_property("inert", False)
        expect(tab.page.locator("#sidebar a[aria-current=page]")).to_be_focused()
        tab.page.keyboard.press("Escape")
        expect(tab.page.locator(".nav-toggle")).to_be_focused()
        expect(tab.page.locator(".nav-toggle")).to_have_attribute("aria-expanded", "false")
        expect(sidebar).to_have_js_property("inert", True)
        expect(sidebar).to_be_hidden()
        assert not tab.problems, tab.problems
    finally:
        context.close()


def test_sidebar_is_not_inert_on_the_desktop(book: Served, tab: Tab) -> None:
    tab.open(book.url(book.pages()[-1]))
    expect(tab.page.locator("#sidebar")).to_have_js_property("inert", False)
    expect(tab.page.locator("#sidebar a").first).to_be_visible()


def test_search_box_is_a_combobox_driven_by_the_keyboard(book: Served, tab: Tab) -> None:
    tab.open(book.url("index.html"))
    box = tab.page.locator("#search-input")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.fill("tensor")
    options = tab.page.locator("#search-listbox [role=option]")
    expect(options.first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-controls", "search-listbox")
    assert options.count() >= 2
    box.press("ArrowDown")
    first = options.nth(0).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", first or "missing id")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    second = options.nth(1).get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", second or "missing id")
    expect(options.nth(0)).to_have_attribute("aria-selected", "false")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", first or "missing id")
    expect(box).to_be_focused()  # focus stays in the box throughout
    box.press("Escape")  # closes the list, keeps the query
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(tab.page.locator("#search-results")).to_be_hidden()
    expect(box).to_have_value("tensor")
    expect(box).not_to_have_attribute("aria-activedescendant", re.compile(".*"))
    box.press("ArrowDown")  # opens it again on the first result
    expect(box).to_have_attribute("aria-expanded", "true")
    href = options.nth(0).get_attribute("href") or ""
    box.press("Enter")
    expect(tab.page).to_have_url(re.compile(re.escape(href.split("#")[0]) + r"([#?].*)?$"))
    tab.page.locator("#search-input").press("Escape")
    assert not tab.problems, tab.problems


def test_search_with_no_result_says_so_outside_the_listbox(book: Served, tab: Tab) -> None:
    tab.open(book.url("index.html"))
    tab.page.fill("#search-input", "qqqzzzxxx")
    message = tab.page.locator("#search-results .no-results")
    expect(message).to_be_visible()
    expect(message).to_contain_text("No results")
    expect(tab.page.locator("#search-listbox")).to_be_hidden()
    expect(tab.page.locator("#search-status")).to_contain_text("No results")


# ---------------------------------------------------------------- solutions


def test_a_link_to_a_solution_opens_it(book: Served, tab: Tab) -> None:
    name = pages_with(book, 'id="sol-')[0]
    html = (book.root / name).read_text(encoding="utf-8")
    ids = re.findall(r'<details class="solution[^"]*" id="(sol-[^"]+)"', html)
    assert ids and len(ids) == len(set(ids)), ids
    assert '<summary><span class="solution-title">Solution' in html
    assert not re.search(r"<summary>(?:(?!</summary>).)*<a ", html, re.S)
    tab.open(book.url(f"{name}#{ids[-1]}"))
    solution = tab.page.locator(f"#{ids[-1]}")
    expect(solution).to_have_js_property("open", True)
    expect(solution.locator("summary")).to_be_in_viewport()
    # the summary itself toggles it (nothing inside it takes the click)
    solution.locator("summary").click()
    expect(solution).to_have_js_property("open", False)
    # its permalink and the way back to its exercise sit in the body
    solution.locator("summary").click()
    back = solution.locator(".solution-links a.solution-exercise")
    target = (back.get_attribute("href") or "#").lstrip("#")
    back.click()
    expect(tab.page.locator(f"[id='{target}']")).to_be_in_viewport()
    assert not tab.problems, tab.problems


# ---------------------------------------------------------------- print


def print_view(chromium: Any, url: str) -> tuple[Any, Any]:
    """A page in the dark theme (system and toggle), then emulating print media."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="dark")
    page = context.new_page()
    page.goto(url, wait_until="load")
    page.evaluate("document.documentElement.dataset.theme = 'dark'")
    page.evaluate("dispatchEvent(new Event('beforeprint'))")  # what printing sends: every
    page.wait_for_function(WIDGETS_STARTED)  # widget starts, so its controls are on the page
    page.emulate_media(media="print")
    return context, page


def luminance(colour: str) -> float:
    """WCAG relative luminance of a computed CSS colour: ``rgb(...)``, ``rgba(...)`` or
    ``color(srgb r g b)`` (what ``color-mix()`` computes to)."""
    values = [float(c) for c in re.findall(r"\d*\.?\d+(?:e-?\d+)?", colour)[:3]]
    channels = values if colour.startswith("color(srgb") else [c / 255 for c in values]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


COLOURS = """() => {
  const pick = (sel, f) => [...document.querySelectorAll(sel)].slice(0, 40).map(f);
  const cs = e => getComputedStyle(e);
  const bg = e => { for (; e; e = e.parentElement) { const c = cs(e).backgroundColor;
      if (c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') return c; } return 'rgb(255, 255, 255)'; };
  return {
    page: bg(document.body),
    text: pick('.page-body p', e => [cs(e).color, bg(e)]),
    inline: pick(':not(pre) > code', e => [cs(e).color, bg(e)]),
    tokens: pick('.highlight span[class]', e => [cs(e).color, bg(e)]),
    blocks: pick('.code-block', e => bg(e)),
  };
}"""


def test_print_is_light_in_the_dark_theme(book: Served, chromium: Any) -> None:
    """Printed from the dark theme, the page is light: white paper, dark text, light code
    boxes (inline code printed black on black before)."""
    name = pages_with(book, '<span class="c1">')[0]
    context, page = print_view(chromium, book.url(name))
    try:
        page.emulate_media(media="screen")
        on_screen = page.evaluate(COLOURS)
        assert luminance(on_screen["page"]) < 0.1  # dark on the screen ...
        page.emulate_media(media="print")
        printed = page.evaluate(COLOURS)
        assert luminance(printed["page"]) > 0.9  # ... light on paper
        assert printed["inline"] and printed["tokens"]
        for kind in ("text", "inline", "tokens"):
            for colour, background in printed[kind]:
                assert luminance(background) > 0.8, (kind, colour, background)
                assert contrast(colour, background) >= 4.5, (kind, colour, background)
        assert all(luminance(b) > 0.8 for b in printed["blocks"])
    finally:
        context.close()


def test_print_leaves_chrome_and_widget_controls_off_paper(book: Served, chromium: Any) -> None:
    name = pages_with(book, "pl-anywidget")[0]
    context, page = print_view(chromium, book.url(name))
    try:
        for chrome in (
            ".top-bar",
            ".sidebar",
            ".page-toc",
            ".page-outline",
            ".prev-next",
            ".copy-button",
            ".answer-key-option",
            ".pl-anywidget input",
            ".pl-anywidget button",
            ".pl-anywidget select",
        ):
            shown = page.locator(chrome).evaluate_all(
                "els => els.filter(e => e.getClientRects().length).length"
            )
            assert shown == 0, f"{chrome}: {shown} printed"
        printed = page.locator(".code-block pre").evaluate_all(
            "els => els.filter(e => e.getClientRects().length).length"
        )
        assert printed > 0  # the code itself prints
    finally:
        context.close()


def test_solutions_print_only_in_the_answer_key_mode(book: Served, chromium: Any) -> None:
    name = pages_with(book, '<details class="solution')[0]
    context, page = print_view(chromium, book.url(name))
    try:
        solutions = page.locator("details.solution")
        count = solutions.count()
        assert count
        for index in range(count):
            expect(solutions.nth(index)).to_be_hidden()
        # the instructor's switch (shown on the screen, under the chapter list)
        page.emulate_media(media="screen")
        page.check("#answer-key")
        for index in range(count):
            expect(solutions.nth(index)).to_have_js_property("open", True)
        page.emulate_media(media="print")
        for index in range(count):
            expect(solutions.nth(index).locator(".solution-body")).to_be_visible()
        page.emulate_media(media="screen")
        page.uncheck("#answer-key")
        for index in range(count):
            expect(solutions.nth(index)).to_have_js_property("open", False)
        # or ?answers in the address
        page.goto(book.url(f"{name}?answers"), wait_until="load")
        expect(page.locator("#answer-key")).to_be_checked()
        page.emulate_media(media="print")
        for index in range(count):
            expect(solutions.nth(index).locator(".solution-body")).to_be_visible()
    finally:
        context.close()
