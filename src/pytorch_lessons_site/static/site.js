/* pytorch-lessons offline book site: theme toggle, navigation drawer, copy buttons, tabs,
 * solutions opened by links, printing, and client-side search. No dependencies. */
(function () {
  "use strict";

  var root = document.documentElement;

  /* ---------------------------------------------------------------- theme */
  function systemPrefersDark() {
    return window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  }

  function currentTheme() {
    return root.dataset.theme || (systemPrefersDark() ? "dark" : "light");
  }

  function setupThemeToggle() {
    var button = document.querySelector(".theme-toggle");
    if (!button) return;
    function show() {  // a toggle button says whether it is on: here, dark mode
      button.setAttribute("aria-pressed", currentTheme() === "dark" ? "true" : "false");
    }
    show();
    if (window.matchMedia) {
      var dark = window.matchMedia("(prefers-color-scheme: dark)");
      if (dark.addEventListener) dark.addEventListener("change", show);
    }
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      show();
      try {
        localStorage.setItem("pl-theme", next);
      } catch (e) {
        /* storage may be unavailable (file://, private mode) */
      }
    });
  }

  /* ---------------------------------------------------------------- navigation drawer */
  /* On narrow screens the chapter list is a drawer: while closed it is inert (and hidden by
   * the CSS), so Tab never lands on links that are off the screen. */
  function setupNavToggle() {
    var button = document.querySelector(".nav-toggle");
    var sidebar = document.getElementById("sidebar");
    if (!button || !sidebar) return;
    var narrow = window.matchMedia("(max-width: 860px)");

    function setOpen(open, focus) {
      document.body.classList.toggle("nav-open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
      sidebar.inert = narrow.matches && !open;
      if (open && focus) {
        var link = sidebar.querySelector("a[aria-current=page]") || sidebar.querySelector("a");
        if (link) link.focus({ preventScroll: true });
      }
    }

    setOpen(false, false);
    narrow.addEventListener("change", function () {
      setOpen(false, false);
    });
    button.addEventListener("click", function () {
      setOpen(!document.body.classList.contains("nav-open"), true);
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        var inside = sidebar.contains(document.activeElement);
        setOpen(false, false);
        if (inside) button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (
        narrow.matches &&
        document.body.classList.contains("nav-open") &&
        !sidebar.contains(event.target) &&
        !button.contains(event.target)
      ) {
        setOpen(false, false);
      }
    });
  }

  /* ---------------------------------------------------------------- wide code and equations */
  /* Code blocks and displayed equations carry tabindex="0" in the HTML, so that a box that
   * scrolls sideways can be scrolled from the keyboard. Boxes that fit lose it again (one Tab
   * stop less each), and any other box that scrolls (a long output) gains it; re-checked when
   * the width changes. */
  var SCROLLERS = ".code-block pre, .katex-display, .table-wrap, pre.output, .output.html, .output.image";

  /* Every box is measured first, then marked: measuring after a change would make the browser
   * lay the page out again for each box (hundreds of layouts on a long chapter). */
  function scrolls(box) {
    var style = getComputedStyle(box);
    var across = box.scrollWidth > box.clientWidth && /auto|scroll/.test(style.overflowX);
    var down = box.scrollHeight > box.clientHeight && /auto|scroll/.test(style.overflowY);
    return across || down;
  }

  function mark(box, scrolling) {
    if (scrolling) {
      box.setAttribute("tabindex", "0");
      if (!box.hasAttribute("role")) box.setAttribute("role", "group");
      if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", "Scrollable output");
      box.classList.add("scrolls");
    } else if (box.getAttribute("tabindex") === "0") {
      box.removeAttribute("tabindex");
      box.classList.remove("scrolls");
    }
  }

  function updateScrollers(boxes) {
    var found = Array.prototype.map.call(boxes, scrolls);
    Array.prototype.forEach.call(boxes, function (box, i) {
      mark(box, found[i]);
    });
  }

  /* A box is measured when it comes near the screen (cells further away are not even laid out:
   * see .page-body > .cell in style.css; measuring them would make the browser lay them out),
   * then again whenever it changes size (the window, a box opened) and once the fonts (KaTeX's,
   * the monospace one) are in. Until then code and equations keep the tabindex the HTML gives
   * them. Started once the page has loaded, when the browser is idle. */
  function setupScrollers() {
    var boxes = Array.prototype.slice.call(document.querySelectorAll(SCROLLERS));
    if (!("IntersectionObserver" in window) || !("ResizeObserver" in window)) {
      updateScrollers(boxes);
      return;
    }
    var seen = [];
    var resized = new ResizeObserver(function (entries) {
      updateScrollers(entries.map(function (entry) {
        return entry.target;
      }));
    });
    var near = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          near.unobserve(entry.target);
          seen.push(entry.target);
          resized.observe(entry.target);  // reports its size once now: that is the first check
        });
      },
      { rootMargin: "100% 0px" }
    );
    boxes.forEach(function (box) {
      near.observe(box);
    });
    if (document.fonts) {
      document.fonts.addEventListener("loadingdone", function () {
        updateScrollers(seen);
      });
    }
  }

  /* The cells below the first screen, laid out a few at a time in idle moments (see
   * .page-body > .cell in style.css): no long task blocks the reader, and the page soon has its
   * true height, so the scrollbar and the links at its end stop moving. A jump to an id (a
   * link, the address's #part, back and forward) or to the end (the End key) first lays out
   * all that is left, at once: a cell still at its guessed height would move the target once
   * it is drawn. */
  var LATER_CELLS = ".page-body > .cell:nth-child(n + 4):not(.laid-out)";
  var BUDGET_MS = 8;  // of each idle moment: short enough that a slow phone stays responsive

  function layOutAll() {
    document.querySelectorAll(LATER_CELLS).forEach(function (cell) {
      cell.classList.add("laid-out");
    });
  }

  var idle = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };

  function layOutTheRest() {
    var cells = document.querySelectorAll(LATER_CELLS);
    var next = 0;
    function some() {
      var start = performance.now();
      while (next < cells.length && performance.now() - start < BUDGET_MS) {
        var cell = cells[next++];
        cell.classList.add("laid-out");
        void cell.offsetHeight;  // its layout now, in this idle moment
      }
      if (next < cells.length) return idle(some);
      root.classList.add("pl-laid-out");  // for the widgets below, which start after this
      document.dispatchEvent(new Event("pl-laid-out"));
    }
    idle(some);
  }

  function setupJumps() {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
      if (link && link.getAttribute("href").length > 1) layOutAll();  // before the browser jumps
    }, true);
    document.addEventListener("keydown", function (event) {
      // End (and Ctrl-End) scrolls to the bottom: to the true one
      if (event.key === "End" && document.querySelector(LATER_CELLS)) layOutAll();
    }, true);
    window.addEventListener("hashchange", function () {
      if (!document.querySelector(LATER_CELLS)) return;
      layOutAll();
      var target = hashTarget();
      if (target) target.scrollIntoView();
    });
    if (hashTarget()) layOutAll();  // the browser scrolls to the target once the page is laid out
  }

  function whenIdleAfterLoad(start) {
    function soon() {
      idle(start, { timeout: 2000 });
    }
    if (document.readyState === "complete") soon();
    else window.addEventListener("load", soon);
  }

  /* ---------------------------------------------------------------- copy buttons */
  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      try {
        document.execCommand("copy") ? resolve() : reject(new Error("copy failed"));
      } catch (e) {
        reject(e);
      } finally {
        document.body.removeChild(area);
      }
    });
  }

  function setupCopyButtons() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".copy-button") : null;
      if (!button) return;
      var code = button.parentNode.querySelector("pre code");
      if (!code) return;
      copyText(code.textContent.replace(/\n$/, "")).then(
        function () {
          button.textContent = "Copied";
          button.classList.add("copied");
          setTimeout(function () {
            button.textContent = "Copy";
            button.classList.remove("copied");
          }, 1500);
        },
        function () {
          button.textContent = "Select + Ctrl-C";
        }
      );
    });
  }

  /* ---------------------------------------------------------------- tabs */
  function setupTabs() {
    document.querySelectorAll(".tab-set").forEach(function (set) {
      var buttons = set.querySelectorAll(":scope > .tab-labels > .tab-button");
      var panels = set.querySelectorAll(":scope > .tab-panel");
      buttons.forEach(function (button, index) {
        button.addEventListener("click", function () {
          buttons.forEach(function (b, i) {
            b.classList.toggle("active", i === index);
            b.setAttribute("aria-selected", i === index ? "true" : "false");
          });
          panels.forEach(function (p, i) {
            p.classList.toggle("active", i === index);
          });
        });
      });
    });
  }

  /* ---------------------------------------------------------------- links into closed boxes */
  /** The element the address's #part names, if any. */
  function hashTarget() {
    return location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  }

  function revealTarget() {
    var target = hashTarget();
    if (!target) return;
    var node = target;
    var opened = false;
    while (node) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
        opened = true;
      }
      node = node.parentElement;
    }
    if (opened) target.scrollIntoView();
  }

  /* ---------------------------------------------------------------- printing */
  function setupPrinting() {
    var opened = [];
    window.addEventListener("beforeprint", function () {
      opened = [];
      document.querySelectorAll("details:not([open]):not(.solution)").forEach(function (d) {
        d.open = true;
        opened.push(d);
      });
    });
    window.addEventListener("afterprint", function () {
      opened.forEach(function (d) {
        d.open = false;
      });
    });
  }

  /* ---------------------------------------------------------------- answer key */
  /* Solutions are left out of a printed page, unless the answer key is on (the checkbox under
   * the chapter list, or ?answers in the address): then every solution is open on the screen
   * and printed. */
  function setupAnswerKey() {
    var solutions = document.querySelectorAll("details.solution");
    var sidebar = document.getElementById("sidebar");
    if (!solutions.length || !sidebar) return;
    var opened = [];
    var box = document.createElement("div");
    box.className = "answer-key-option";
    box.innerHTML =
      '<p class="nav-group" id="answer-key-heading">For instructors</p>' +
      '<label><input type="checkbox" id="answer-key" aria-describedby="answer-key-heading"> ' +
      "Answer key: open every solution and print them</label>";
    sidebar.appendChild(box);
    var checkbox = box.querySelector("input");

    function setAnswerKey(on) {
      root.classList.toggle("answer-key", on);
      checkbox.checked = on;
      if (on) {
        solutions.forEach(function (d) {
          if (!d.open) {
            d.open = true;
            opened.push(d);
          }
        });
      } else {
        opened.forEach(function (d) {
          d.open = false;
        });
        opened = [];
      }
    }

    checkbox.addEventListener("change", function () {
      setAnswerKey(checkbox.checked);
    });
    var query = new URLSearchParams(location.search);
    if (query.has("answers") && query.get("answers") !== "0") setAnswerKey(true);
  }

  /* ---------------------------------------------------------------- on-page toc highlight */
  /* "On this page" marks the section being read: the last heading above the top third of
   * the window, found again whenever a heading crosses that line (also after a jump, which
   * skips the headings in between). */
  function setupTocHighlight() {
    var links = document.querySelectorAll(".page-toc a");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    var headings = [];
    links.forEach(function (a) {
      var id = decodeURIComponent(a.getAttribute("href").slice(1));
      var heading = document.getElementById(id);
      byId[id] = a;
      if (heading) headings.push(heading);
    });
    var active = null;
    function show(link) {
      if (link === active) return;
      if (active) active.classList.remove("active");
      if (link) link.classList.add("active");
      active = link;
    }
    function mark(entries) {
      if (document.querySelector(LATER_CELLS)) {
        // cells not laid out yet: measuring every heading would lay them all out now, so
        // only a heading that crossed the line counts
        (entries || []).forEach(function (entry) {
          if (entry.isIntersecting && byId[entry.target.id]) show(byId[entry.target.id]);
        });
        return;
      }
      var line = window.innerHeight * 0.3;
      var current = null;
      headings.forEach(function (h) {
        if (h.getBoundingClientRect().top <= line) current = h;
      });
      show(current ? byId[current.id] : null);
    }
    var observer = new IntersectionObserver(mark, { rootMargin: "0px 0px -70% 0px" });
    headings.forEach(function (heading) {
      observer.observe(heading);
    });
    window.addEventListener("hashchange", function () { mark(); });
    document.addEventListener("pl-laid-out", function () { mark(); });
  }

  /* ---------------------------------------------------------------- search */
  var searchIndex = null;
  var searchLoading = null;

  function loadSearchIndex() {
    if (searchIndex) return Promise.resolve(searchIndex);
    if (searchLoading) return searchLoading;
    searchLoading = new Promise(function (resolve, reject) {
      if (window.PL_SEARCH_INDEX) {
        resolve(window.PL_SEARCH_INDEX);
        return;
      }
      var script = document.createElement("script");
      script.src = "search-index.js";
      script.onload = function () {
        resolve(window.PL_SEARCH_INDEX || { records: [] });
      };
      script.onerror = function () {
        reject(new Error("search index missing"));
      };
      document.head.appendChild(script);
    }).then(function (data) {
      searchIndex = (data.records || []).map(function (record) {
        var h = record.hierarchy || {};
        var titles = [h.lvl1, h.lvl2, h.lvl3, h.lvl4, h.lvl5, h.lvl6].filter(Boolean);
        return {
          url: record.url,
          type: record.type,
          page: h.lvl1 || "",
          title: titles[titles.length - 1] || "",
          heading: titles.join(" › ").toLowerCase(),
          content: record.content || "",
          contentLower: (record.content || "").toLowerCase(),
        };
      });
      return searchIndex;
    });
    return searchLoading;
  }

  function scoreRecord(record, terms) {
    var score = 0;
    for (var i = 0; i < terms.length; i++) {
      var term = terms[i];
      var inHeading = record.heading.indexOf(term) !== -1;
      var inContent = record.contentLower.indexOf(term) !== -1;
      if (!inHeading && !inContent) return 0;
      if (inHeading) score += record.type === "lvl1" ? 12 : 8;
      if (inContent) score += 2;
    }
    if (record.page.toLowerCase().indexOf(terms.join(" ")) !== -1) score += 10;
    return score;
  }

  function escapeHtml(text) {
    return text.replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function snippet(record, terms) {
    var text = record.content.replace(/\s+/g, " ").trim();
    if (!text) return "";
    var lower = text.toLowerCase();
    var at = -1;
    for (var i = 0; i < terms.length && at === -1; i++) at = lower.indexOf(terms[i]);
    var start = Math.max(0, at - 40);
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + 140);
    var html = escapeHtml(piece);
    terms.forEach(function (term) {
      var pattern = new RegExp("(" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + ")", "ig");
      html = html.replace(pattern, "<mark>$1</mark>");
    });
    return html;
  }

  function search(query) {
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.length) return [];
    var best = {};
    searchIndex.forEach(function (record) {
      var score = scoreRecord(record, terms);
      if (!score) return;
      var hit = best[record.url] || (best[record.url] = { record: record, score: 0, text: null });
      if (score > hit.score) {
        hit.record = record;
        hit.score = score;
      }
      if (!hit.text && record.content) hit.text = record;
    });
    return Object.keys(best)
      .map(function (k) {
        return best[k];
      })
      .sort(function (a, b) {
        return b.score - a.score;
      })
      .slice(0, 12);
  }

  /* The search box is an ARIA combobox: the results are a listbox of options; the arrow keys
   * move the active option (aria-activedescendant) while focus stays in the box; Enter opens
   * it (or the first); Escape closes the list, a second Escape clears the box. */
  function setupSearch() {
    var input = document.getElementById("search-input");
    var panel = document.getElementById("search-results");
    if (!input || !panel) return;
    var list = document.getElementById("search-listbox") || panel;
    var message = panel.querySelector(".no-results");
    var status = document.getElementById("search-status");
    var selected = -1;

    function links() {
      return list.querySelectorAll("a[role=option]");
    }

    function setExpanded(open) {
      panel.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
      if (!open) {
        selected = -1;
        input.removeAttribute("aria-activedescendant");
      }
    }

    function select(index) {
      var all = links();
      if (!all.length) return;
      if (panel.hidden) setExpanded(true);
      selected = (index + all.length) % all.length;
      all.forEach(function (a, i) {
        a.classList.toggle("selected", i === selected);
        a.setAttribute("aria-selected", i === selected ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", all[selected].id);
      all[selected].scrollIntoView({ block: "nearest" });
    }

    function say(text, visible) {
      if (message) {
        message.textContent = visible ? text : "";
        message.hidden = !visible;
      }
      if (status) status.textContent = text;
    }

    function show() {
      var query = input.value.trim();
      if (!query) {
        setExpanded(false);
        list.innerHTML = "";
        say("", false);
        return;
      }
      loadSearchIndex().then(
        function () {
          var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
          var results = search(query);
          selected = -1;
          input.removeAttribute("aria-activedescendant");
          list.innerHTML = results
            .map(function (hit, i) {
              var r = hit.record;
              var title = r.title || r.page;
              var page = title === r.page ? "" : '<span class="result-page">' + escapeHtml(r.page) + "</span>";
              return (
                '<a role="option" id="search-option-' + i + '" aria-selected="false" href="' +
                escapeHtml(r.url) + '">' + page +
                '<span class="result-title">' + escapeHtml(title) + "</span>" +
                '<span class="result-snippet">' + snippet(hit.text || r, terms) + "</span></a>"
              );
            })
            .join("");
          list.hidden = !results.length;
          if (results.length) {
            say(results.length + (results.length === 1 ? " result" : " results"), false);
          } else {
            say("No results for “" + query + "”", true);
          }
          setExpanded(true);
        },
        function () {
          list.innerHTML = "";
          list.hidden = true;
          say("Search index not available.", true);
          setExpanded(true);
        }
      );
    }

    input.addEventListener("focus", function () {
      loadSearchIndex().catch(function () {});
    });
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select(selected + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        select(selected - 1);
      } else if (event.key === "Enter") {
        var all = links();
        if (all.length && !panel.hidden) {
          event.preventDefault();
          all[Math.max(selected, 0)].click();
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        if (!panel.hidden) {
          setExpanded(false);
        } else {
          input.value = "";
          show();
        }
      }
    });
    document.addEventListener("keydown", function (event) {
      var typing = /^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName);
      if (event.key === "/" && !typing) {
        event.preventDefault();
        input.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".search")) setExpanded(false);
    });
    panel.addEventListener("click", function () {
      setExpanded(false);
      setTimeout(revealTarget, 0);
    });
  }

  /* ---------------------------------------------------------------- search shortcut
   * Ctrl-K (Cmd-K on Apple keyboards) focuses the search box from anywhere, as in most
   * documentation sites ("/" does too, where the reader is not typing: see setupSearch); the
   * placeholder says so. */
  function setupSearchShortcut() {
    var input = document.getElementById("search-input");
    if (!input) return;
    var apple = /Mac|iPhone|iPad/.test(navigator.platform || navigator.userAgent || "");
    input.placeholder = "Search… (" + (apple ? "⌘K" : "Ctrl+K") + ")";
    input.setAttribute("aria-keyshortcuts", apple ? "Meta+K /" : "Control+K /");
    document.addEventListener("keydown", function (event) {
      var modifier = apple ? event.metaKey : event.ctrlKey;
      var shortcut =
        modifier && !event.altKey && !event.shiftKey && (event.key === "k" || event.key === "K");
      if (!shortcut || event.defaultPrevented) return;
      event.preventDefault();
      input.focus();
      input.select();
    });
  }

  /* ---------------------------------------------------------------- narrow-screen outline
   * Following a link of the collapsible "On this page" closes it, so the section shows. */
  function setupPageOutline() {
    var outline = document.querySelector("details.page-outline");
    if (!outline) return;
    outline.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest("a[href^='#']")) outline.open = false;
    });
  }

  function init() {
    setupSearchShortcut();
    setupPageOutline();
    setupThemeToggle();
    setupNavToggle();
    setupCopyButtons();
    setupTabs();
    setupPrinting();
    setupAnswerKey();
    whenIdleAfterLoad(setupScrollers);
    setupJumps();
    whenIdleAfterLoad(layOutTheRest);
    setupTocHighlight();
    setupSearch();
    revealTarget();
    window.addEventListener("hashchange", revealTarget);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();

// Widgets: the book's anywidget modules, run from the state the executed notebook stored (or a
// MyST {anywidget} directive's model), with no kernel. Each module is a string in the page
// (<script type="application/json" id="pl-esm-...">), imported from a Blob URL so that it also
// works from file://. The model below is what anywidget gives a module in Jupyter, minus the
// kernel: send() reaches nobody, and a widget that asks the kernel says it needs one.
(function () {
  window.plStaticSite = true;  // the modules' "needs a kernel" line says what to do here
  function staticModel(state) {
    var listeners = {};
    function emit(name, value) {
      (listeners[name] || []).slice().forEach(function (f) { f(value); });
    }
    return {
      get: function (key) { return state[key]; },
      set: function (key, value) { state[key] = value; emit("change:" + key, value); emit("change", value); },
      on: function (name, f) { (listeners[name] = listeners[name] || []).push(f); },
      off: function (name, f) {
        if (!name) { listeners = {}; return; }
        listeners[name] = f ? (listeners[name] || []).filter(function (g) { return g !== f; }) : [];
      },
      save_changes: function () {},
      // no kernel answers here: a question (askKernel) is refused at once
      send: function (message) {
        if (message && message.ask) emit("msg:custom", { answer: message.ask, error: "no kernel" });
      },
      widget_manager: {}
    };
  }
  // Large values (a model's weights) live in their own script file: loaded when needed.
  var scripts = {};
  function loadScript(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var tag = document.createElement("script");
        tag.src = src;
        tag.onload = resolve;
        tag.onerror = function () { reject(new Error("cannot load " + src)); };
        document.head.appendChild(tag);
      });
    }
    return scripts[src];
  }
  function resolveData(state) {
    var keys = Object.keys(state).filter(function (k) {
      return state[k] && typeof state[k] === "object" && state[k].$plData;
    });
    return Promise.all(keys.map(function (k) {
      var ref = state[k];
      return loadScript(ref.src).then(function () { state[k] = window.plWidgetData[ref.$plData]; });
    })).then(function () { return state; });
  }
  var modules = {};
  function load(id) {
    if (!modules[id]) {
      var text = JSON.parse(document.getElementById(id).textContent);
      var url = URL.createObjectURL(new Blob([text], { type: "text/javascript" }));
      modules[id] = import(url);
    }
    return modules[id];
  }
  // Widgets start once the page has loaded, each in a moment of its own when the browser is
  // idle: first those within a screen of the view, the others once the chapter is laid out
  // (site.js's "pl-laid-out"), so that the text shows first and the widgets' modules and data
  // (a model's weights) do not hold up the first screen, and a printed chapter has them all.
  function start() {
    var later = window.requestIdleCallback || function (f) { return setTimeout(f, 1); };
    var widgets = Array.prototype.slice.call(document.querySelectorAll(".pl-anywidget[data-esm]"));
    function soon(el) {
      later(function () { startWidget(el); }, { timeout: 2000 });
    }
    function rest() {
      widgets.forEach(function (el) {
        if (!el.dataset.plStarted) soon(el);
      });
    }
    window.addEventListener("beforeprint", function () {
      widgets.forEach(startWidget);
    });
    if (!("IntersectionObserver" in window)) {
      rest();
      return;
    }
    var near = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (!entry.isIntersecting) return;
          near.unobserve(entry.target);
          soon(entry.target);
        });
      },
      { rootMargin: "100% 0px" }
    );
    widgets.forEach(function (el) {
      near.observe(el);
    });
    if (document.documentElement.classList.contains("pl-laid-out")) later(rest);
    else document.addEventListener("pl-laid-out", function () { later(rest); }, { once: true });
  }
  function startWidget(el) {
    if (el.dataset.plStarted) return;
    el.dataset.plStarted = "1";
    var state = JSON.parse(el.querySelector("script.pl-widget-state").textContent);
    var css = el.dataset.css && document.getElementById(el.dataset.css);
    if (css && !css.dataset.plApplied) {
      css.dataset.plApplied = "1";
      var style = document.createElement("style");
      style.textContent = JSON.parse(css.textContent);
      document.head.appendChild(style);
    }
    var model = staticModel(state);
    var view = document.createElement("div");
    el.appendChild(view);
    Promise.all([load(el.dataset.esm), resolveData(state)]).then(function (loaded) {
      var module = loaded[0];
      var widget = module.default;
      return Promise.resolve(typeof widget === "function" ? widget() : widget).then(function (w) {
        return Promise.resolve(w.initialize && w.initialize({ model: model })).then(function () {
          return w.render({ model: model, el: view });
        });
      });
    }).then(function () {
      el.dataset.plReady = "1";
    }, function (error) {
      el.dataset.plError = String(error);
      view.textContent = "This widget could not start: " + error;
    });
  }
  if (document.readyState === "complete") start();
  else window.addEventListener("load", start);
})();

/* ================================================================ cross-reference previews
 * A link with data-preview="xp-N" (a figure, equation, section, exercise, glossary term or
 * citation; see previews.py) shows the content of <template id="xp-N"> in a popup: when the
 * pointer rests on it and when it gets keyboard focus. The popup stays while the pointer is on
 * the link or on the popup, and Escape closes it. The content is in the page itself, so this
 * works from file:// too. */
(function () {
  "use strict";
  var popup = null;
  var current = null;
  var showTimer = 0;
  var hideTimer = 0;

  function ensurePopup() {
    if (popup) return popup;
    popup = document.createElement("div");
    popup.id = "xref-preview";
    popup.className = "xref-preview";
    popup.setAttribute("role", "tooltip");
    popup.hidden = true;
    popup.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    popup.addEventListener("mouseleave", scheduleHide);
    document.body.appendChild(popup);
    return popup;
  }

  function linkOf(node) {
    return node && node.closest ? node.closest("a[data-preview]") : null;
  }

  function place(link) {
    var margin = 8;
    var rect = link.getBoundingClientRect();
    popup.style.left = "0px";
    popup.style.top = "0px";
    var width = popup.offsetWidth;
    var height = popup.offsetHeight;
    var viewport = document.documentElement.clientWidth;
    var left = Math.max(margin, Math.min(rect.left, viewport - width - margin));
    var top = rect.bottom + margin;
    if (top + height > window.innerHeight && rect.top - margin - height > 0) {
      top = rect.top - margin - height; /* no room below the link: above it */
    }
    popup.style.left = left + window.scrollX + "px";
    popup.style.top = top + window.scrollY + "px";
  }

  function show(link) {
    var template = document.getElementById(link.dataset.preview);
    if (!template || !template.content) return;
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    ensurePopup();
    if (current && current !== link) current.removeAttribute("aria-describedby");
    current = link;
    popup.replaceChildren(template.content.cloneNode(true));
    popup.hidden = false;
    link.setAttribute("aria-describedby", popup.id);
    place(link);
  }

  function hide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (current) current.removeAttribute("aria-describedby");
    current = null;
    if (popup) popup.hidden = true;
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250); /* time to move the pointer onto the popup */
  }

  document.addEventListener("mouseover", function (event) {
    var link = linkOf(event.target);
    if (!link) return;
    clearTimeout(hideTimer);
    if (link === current) return;
    clearTimeout(showTimer);
    showTimer = setTimeout(function () { show(link); }, 200);
  });
  document.addEventListener("mouseout", function (event) {
    var link = linkOf(event.target);
    if (link && !link.contains(event.relatedTarget)) scheduleHide();
  });
  document.addEventListener("focusin", function (event) {
    var link = linkOf(event.target);
    if (link) show(link);
    else if (current) hide();
  });
  document.addEventListener("focusout", function (event) {
    if (linkOf(event.target)) scheduleHide();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && popup && !popup.hidden) hide();
  });
  window.addEventListener("resize", hide);
})();
/* ============================================================ end of cross-reference previews */
