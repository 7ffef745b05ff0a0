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
    button.addEventListener("click", function () {
      var next = currentTheme() === "dark" ? "light" : "dark";
      root.dataset.theme = next;
      try {
        localStorage.setItem("pl-theme", next);
      } catch (e) {
        /* storage may be unavailable (file://, private mode) */
      }
    });
  }

  /* ---------------------------------------------------------------- navigation drawer */
  function setupNavToggle() {
    var button = document.querySelector(".nav-toggle");
    if (!button) return;
    button.addEventListener("click", function () {
      var open = document.body.classList.toggle("nav-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && document.body.classList.contains("nav-open")) {
        document.body.classList.remove("nav-open");
        button.setAttribute("aria-expanded", "false");
      }
    });
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
  function revealTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
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

  /* ---------------------------------------------------------------- on-page toc highlight */
  function setupTocHighlight() {
    var links = document.querySelectorAll(".page-toc a");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var byId = {};
    links.forEach(function (a) {
      byId[decodeURIComponent(a.getAttribute("href").slice(1))] = a;
    });
    var observer = new IntersectionObserver(
      function (entries) {
        entries.forEach(function (entry) {
          if (entry.isIntersecting && byId[entry.target.id]) {
            links.forEach(function (a) {
              a.classList.remove("active");
            });
            byId[entry.target.id].classList.add("active");
          }
        });
      },
      { rootMargin: "0px 0px -70% 0px" }
    );
    Object.keys(byId).forEach(function (id) {
      var heading = document.getElementById(id);
      if (heading) observer.observe(heading);
    });
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

  function setupSearch() {
    var input = document.getElementById("search-input");
    var panel = document.getElementById("search-results");
    if (!input || !panel) return;
    var selected = -1;

    function links() {
      return panel.querySelectorAll("a");
    }

    function select(index) {
      var all = links();
      if (!all.length) return;
      selected = (index + all.length) % all.length;
      all.forEach(function (a, i) {
        a.classList.toggle("selected", i === selected);
      });
      all[selected].scrollIntoView({ block: "nearest" });
    }

    function show() {
      var query = input.value.trim();
      if (!query) {
        panel.hidden = true;
        panel.innerHTML = "";
        return;
      }
      loadSearchIndex().then(
        function () {
          var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
          var results = search(query);
          selected = -1;
          if (!results.length) {
            panel.innerHTML = '<div class="no-results">No results for “' + escapeHtml(query) + "”</div>";
          } else {
            panel.innerHTML = results
              .map(function (hit) {
                var r = hit.record;
                var title = r.title || r.page;
                var page = title === r.page ? "" : '<span class="result-page">' + escapeHtml(r.page) + "</span>";
                return (
                  '<a role="option" href="' + escapeHtml(r.url) + '">' + page +
                  '<span class="result-title">' + escapeHtml(title) + "</span>" +
                  '<span class="result-snippet">' + snippet(hit.text || r, terms) + "</span></a>"
                );
              })
              .join("");
          }
          panel.hidden = false;
        },
        function () {
          panel.innerHTML = '<div class="no-results">Search index not available.</div>';
          panel.hidden = false;
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
        if (all.length) {
          event.preventDefault();
          all[Math.max(selected, 0)].click();
        }
      } else if (event.key === "Escape") {
        input.value = "";
        show();
        input.blur();
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
      if (!event.target.closest(".search")) panel.hidden = true;
    });
    panel.addEventListener("click", function () {
      panel.hidden = true;
      setTimeout(revealTarget, 0);
    });
  }

  function init() {
    setupThemeToggle();
    setupNavToggle();
    setupCopyButtons();
    setupTabs();
    setupPrinting();
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
  function start() {
    document.querySelectorAll(".pl-anywidget[data-esm]").forEach(function (el) {
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
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
