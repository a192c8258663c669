/* osx-report: what the pages do with JavaScript. Everything is readable without it;
   this adds the theme toggle, search, opening the execution a link points to, expand /
   collapse all, and printing with everything open.

   Search loads its index as scripts from search/ (fetch does not work from file://):
   search/index.js (the manifest), search/t/<n>.js (term shards, a term lives in shard
   fnv1a32(term) % shards) and search/d/<k>.js (document shards of manifest.doc_shard
   documents). Each calls one of the osxSearch functions below. Only the shards of the
   words searched for, and of the results shown, are loaded. Nothing leaves the site. */
(function () {
  'use strict';
  var doc = document;
  var html = doc.documentElement;
  var base = html.getAttribute('data-root') || '';
  var THEME_KEY = 'osx-report-theme';

  /* ---------- theme ---------- */

  var dark = window.matchMedia ? window.matchMedia('(prefers-color-scheme: dark)') : null;

  function theme() {
    return html.getAttribute('data-theme') || (dark && dark.matches ? 'dark' : 'light');
  }

  function setupTheme() {
    var button = doc.querySelector('.theme-toggle');
    if (!button) return;
    var show = function () {
      button.setAttribute('aria-pressed', theme() === 'dark' ? 'true' : 'false');
    };
    button.hidden = false;
    show();
    button.addEventListener('click', function () {
      var next = theme() === 'dark' ? 'light' : 'dark';
      html.setAttribute('data-theme', next);
      try {
        window.localStorage.setItem(THEME_KEY, next);
      } catch (e) {
        /* not remembered: storage unavailable */
      }
      show();
    });
    if (dark && dark.addEventListener) dark.addEventListener('change', show);
  }

  /* ---------- opening what a link points to ---------- */

  function openTarget() {
    var id = location.hash.slice(1);
    if (!id) return;
    try {
      id = decodeURIComponent(id);
    } catch (e) {
      /* keep it as it is */
    }
    var el = doc.getElementById(id);
    if (!el) return;
    var opened = false;
    for (var p = el; p; p = p.parentElement) {
      if (p.tagName === 'DETAILS' && !p.open) {
        p.open = true;
        opened = true;
      }
    }
    if (opened || el.tagName === 'DETAILS') el.scrollIntoView();
  }

  function setupTargets() {
    window.addEventListener('hashchange', openTarget);
    doc.addEventListener('click', function (e) {
      var a = e.target.closest && e.target.closest('a[href^="#"]');
      if (a && a.getAttribute('href') === location.hash) setTimeout(openTarget, 0);
    });
    openTarget();
  }

  function setupTreeTools() {
    doc.querySelectorAll('.tree-tools').forEach(function (tools) {
      tools.hidden = false;
      tools.addEventListener('click', function (e) {
        var b = e.target.closest('button[data-tree]');
        if (!b) return;
        var open = b.getAttribute('data-tree') === 'open';
        var tree = tools.parentElement.querySelector('.tree');
        if (!tree) return;
        tree.querySelectorAll('details.exec').forEach(function (d) {
          d.open = open;
        });
      });
    });
  }

  /* Text blocks that scroll get a tab stop, so they can be scrolled from the keyboard
     (checked when their execution opens: closed ones are not laid out). */
  function focusScrollers(rootEl) {
    rootEl.querySelectorAll('pre:not([tabindex])').forEach(function (pre) {
      if (pre.scrollHeight > pre.clientHeight + 1 || pre.scrollWidth > pre.clientWidth + 1) {
        pre.tabIndex = 0;
      }
    });
  }

  function setupScrollers() {
    var mainEl = doc.getElementById('main');
    if (!mainEl) return;
    focusScrollers(mainEl);
    mainEl.addEventListener('toggle', function (e) {
      if (e.target.open) focusScrollers(e.target);
    }, true);
  }

  /* Printing: a session prints as a report, every execution open. */
  function setupPrint() {
    var reopened = [];
    window.addEventListener('beforeprint', function () {
      doc.querySelectorAll('main details:not([open])').forEach(function (d) {
        d.open = true;
        reopened.push(d);
      });
    });
    window.addEventListener('afterprint', function () {
      reopened.forEach(function (d) {
        d.open = false;
      });
      reopened = [];
    });
  }

  /* ---------- search: the index ---------- */

  var data = { manifest: null, terms: {}, docs: {} };
  window.osxSearch = {
    m: function (_, m) { data.manifest = m; },
    t: function (n, t) { data.terms[n] = t; },
    d: function (k, d) { data.docs[k] = d; }
  };
  var loading = {};

  function load(path) {
    if (!loading[path]) {
      loading[path] = new Promise(function (resolve, reject) {
        var s = doc.createElement('script');
        s.src = base + path;
        s.async = true;
        s.onload = resolve;
        s.onerror = function () {
          delete loading[path];
          reject(new Error('could not load ' + path));
        };
        doc.head.appendChild(s);
      });
    }
    return loading[path];
  }

  var WORD = /[\p{Alphabetic}\p{N}_.-]+/gu;
  var JOINERS = /^[_.-]+|[_.-]+$/g;

  /* The words of a query, as the index was built (src/build/search.rs). */
  function tokenize(q, m) {
    var terms = [];
    var ignored = [];
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(q)) !== null) {
      var w = match[0].replace(JOINERS, '');
      if (!w) continue;
      var l = w.toLowerCase();
      var n = Array.from(l).length;
      if (n < m.min_len || n > m.max_len || m.stop.indexOf(l) >= 0) {
        ignored.push(w);
      } else if (terms.indexOf(l) < 0) {
        terms.push(l);
      }
    }
    return { terms: terms, ignored: ignored };
  }

  var encoder = new TextEncoder();
  function fnv(s) {
    var h = 0x811c9dc5;
    var bytes = encoder.encode(s);
    for (var i = 0; i < bytes.length; i++) {
      h ^= bytes[i];
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h >>> 0;
  }

  var B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function decode(s) {
    var out = [];
    var last = 0, n = 0, scale = 1;
    for (var i = 0; i < s.length; i++) {
      var v = B64.indexOf(s[i]);
      n += (v & 31) * scale;
      if (v & 32) {
        scale *= 32;
      } else {
        last += n;
        out.push(last);
        n = 0;
        scale = 1;
      }
    }
    return out;
  }

  /* The postings of a term: {ids, count, capped}, or null when no document has it. */
  function lookup(term, m) {
    var n = fnv(term) & (m.shards - 1);
    return load('search/t/' + n + '.js').then(function () {
      var shard = data.terms[n] || {};
      if (!Object.prototype.hasOwnProperty.call(shard, term)) return null;
      var e = shard[term];
      if (typeof e === 'string') {
        var ids = decode(e);
        return { term: term, ids: ids, count: ids.length, capped: false };
      }
      return { term: term, ids: decode(e[0]), count: e[1], capped: true };
    });
  }

  /* A query word: the whole word, else (for `a-b.c` words not indexed whole) its parts. */
  function lookupWord(term, m) {
    return lookup(term, m).then(function (found) {
      if (found || !/[_.-]/.test(term)) return [found];
      var parts = term.split(/[_.-]+/).filter(function (p) {
        return Array.from(p).length >= m.min_len && m.stop.indexOf(p) < 0;
      });
      if (!parts.length) return [null];
      return Promise.all(parts.map(function (p) { return lookup(p, m); }));
    });
  }

  /* Runs a query: {ids (ascending), terms, ignored, common (words over the postings
     limit), limited (true when those words cut the results)}. */
  function search(q) {
    return load('search/index.js').then(function () {
      var m = data.manifest;
      var t = tokenize(q, m);
      var result = { ids: [], terms: t.terms, ignored: t.ignored, common: [], limited: false };
      if (!t.terms.length) return result;
      return Promise.all(t.terms.map(function (w) { return lookupWord(w, m); })).then(function (found) {
        var lists = [].concat.apply([], found);
        if (lists.some(function (l) { return !l; })) return result;
        var exact = lists.filter(function (l) { return !l.capped; });
        var capped = lists.filter(function (l) { return l.capped; });
        var limit = Infinity;
        capped.forEach(function (c) {
          limit = Math.min(limit, c.ids[c.ids.length - 1]);
          result.common.push(c);
        });
        exact.sort(function (a, b) { return a.ids.length - b.ids.length; });
        var first = exact.length ? exact[0] : capped[0];
        var others = lists.filter(function (l) { return l !== first; }).map(function (l) {
          return new Set(l.ids);
        });
        var ids = first.ids.filter(function (id) {
          return id <= limit && others.every(function (s) { return s.has(id); });
        });
        result.limited = capped.length > 0 && first.ids.some(function (id) { return id > limit; });
        if (!exact.length && capped.length) result.limited = true;
        result.ids = ids;
        return result;
      });
    });
  }

  /* The documents of `ids`: {kind, url, page, title, detail, status}. */
  function documents(ids) {
    var m = data.manifest;
    var shards = [];
    ids.forEach(function (id) {
      var k = Math.floor(id / m.doc_shard);
      if (shards.indexOf(k) < 0) shards.push(k);
    });
    return Promise.all(shards.map(function (k) { return load('search/d/' + k + '.js'); })).then(function () {
      return ids.map(function (id) {
        var k = Math.floor(id / m.doc_shard);
        var shard = data.docs[k];
        var d = shard.d[id - k * m.doc_shard];
        var page = shard.p[d[1]];
        return {
          kind: d[0],
          url: base + page[0] + (d[2] ? '#' + encodeURIComponent(d[2]) : ''),
          page: page[1],
          title: d[3],
          detail: d[4],
          status: d[5]
        };
      });
    });
  }

  /* ---------- search: showing results ---------- */

  var KINDS = { s: 'session', x: 'execution', i: 'issue', t: 'table', c: 'column' };
  var STATUS = { success: '✓ ok', failure: '✗ failed', unknown: '? unknown' };

  function hitElement(h) {
    var tpl = doc.getElementById('hit-template');
    var li = tpl.content.firstElementChild.cloneNode(true);
    var a = li.querySelector('.hit-link');
    a.href = h.url;
    var kind = li.querySelector('.hit-kind');
    kind.textContent = KINDS[h.kind] || h.kind;
    kind.classList.add('kind-' + h.kind);
    a.textContent = h.title || '(untitled)';
    var status = li.querySelector('.hit-status');
    if (h.kind === 'x' && STATUS[h.status]) {
      status.textContent = STATUS[h.status];
      status.classList.add('badge', 'badge-' + h.status);
    } else if (h.kind === 's' && h.status) {
      status.textContent = h.status;
      status.classList.add('state', 'state-' + h.status);
    } else {
      status.remove();
    }
    var detail = [];
    if (h.kind !== 's' && h.kind !== 't') detail.push(h.page);
    if (h.detail) detail.push(h.detail);
    li.querySelector('.hit-detail').textContent = detail.join(' · ');
    return li;
  }

  function describe(r, shown) {
    var parts = [];
    if (!r.terms.length) {
      parts.push(r.ignored.length ? 'Those words are too short or too common to search for.' : '');
    } else if (!r.ids.length) {
      parts.push('No results for ' + r.terms.map(function (t) { return '“' + t + '”'; }).join(' ') + ' (whole words).');
    } else {
      parts.push(r.ids.length.toLocaleString('en') + (r.ids.length === 1 ? ' result' : ' results') +
        (shown < r.ids.length ? ', ' + shown.toLocaleString('en') + ' shown' : '') + '.');
    }
    r.common.forEach(function (c) {
      parts.push('“' + c.term + '” is common (' + c.count.toLocaleString('en') + ' places): only its first ' +
        c.ids.length.toLocaleString('en') + ', newest first, are searched.');
    });
    if (r.ignored.length && r.terms.length) {
      parts.push('Ignored: ' + r.ignored.join(', ') + '.');
    }
    return parts.join(' ');
  }

  function show(list, status, r, from, count) {
    var ids = r.ids.slice(from, from + count);
    return documents(ids).then(function (hits) {
      hits.forEach(function (h) { list.appendChild(hitElement(h)); });
      status.textContent = describe(r, from + hits.length);
      return from + hits.length;
    });
  }

  function failed(status, e) {
    status.textContent = 'Search failed: ' + e.message + '. Was the site copied without its search folder?';
  }

  function searchUrl(q) {
    return base + 'search.html?q=' + encodeURIComponent(q);
  }

  /* The box in the header: the first results as you type, Enter for all of them. */
  function setupQuickSearch() {
    var box = doc.querySelector('.quick-search');
    if (!box || !doc.getElementById('hit-template')) return;
    box.hidden = false;
    var input = box.querySelector('input');
    var panel = box.querySelector('.search-panel');
    var list = panel.querySelector('.hits');
    var status = panel.querySelector('.search-status');
    var all = panel.querySelector('.search-all a');
    var timer = null;
    var seq = 0;
    var close = function () {
      panel.hidden = true;
    };
    var run = function () {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) {
        close();
        return;
      }
      all.href = searchUrl(q);
      search(q).then(function (r) {
        if (mine !== seq) return null;
        list.textContent = '';
        panel.hidden = false;
        return show(list, status, r, 0, 8);
      }).catch(function (e) {
        panel.hidden = false;
        failed(status, e);
      });
    };
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 120);
    });
    input.addEventListener('focus', function () {
      load('search/index.js').catch(function () {});
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && input.value.trim()) {
        location.href = searchUrl(input.value.trim());
      } else if (e.key === 'ArrowDown') {
        var first = list.querySelector('a');
        if (first) {
          e.preventDefault();
          first.focus();
        }
      } else if (e.key === 'Escape') {
        close();
      }
    });
    panel.addEventListener('keydown', function (e) {
      var links = Array.prototype.slice.call(panel.querySelectorAll('a'));
      var i = links.indexOf(doc.activeElement);
      if (e.key === 'ArrowDown' && i >= 0 && i < links.length - 1) {
        e.preventDefault();
        links[i + 1].focus();
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        if (i > 0) links[i - 1].focus();
        else input.focus();
      } else if (e.key === 'Escape') {
        close();
        input.focus();
      }
    });
    doc.addEventListener('click', function (e) {
      if (!box.contains(e.target)) close();
    });
    panel.addEventListener('click', function (e) {
      if (e.target.closest('a')) close();
    });
  }

  /* The search page: every result, fifty at a time. */
  function setupSearchPage() {
    var pageBox = doc.querySelector('.search-page');
    if (!pageBox) return;
    pageBox.hidden = false;
    var input = pageBox.querySelector('input');
    var list = pageBox.querySelector('.hits');
    var status = pageBox.querySelector('.search-status');
    var more = pageBox.querySelector('.search-more');
    var current = null;
    var shown = 0;
    var seq = 0;
    var run = function () {
      var q = input.value.trim();
      var mine = ++seq;
      list.textContent = '';
      more.hidden = true;
      if (!q) {
        status.textContent = '';
        return;
      }
      try {
        history.replaceState(null, '', '?q=' + encodeURIComponent(q));
      } catch (e) {
        /* some browsers refuse this on file:// */
      }
      status.textContent = 'Searching…';
      search(q).then(function (r) {
        if (mine !== seq) return null;
        current = r;
        return show(list, status, r, 0, 50).then(function (n) {
          shown = n;
          more.hidden = shown >= r.ids.length;
        });
      }).catch(function (e) { failed(status, e); });
    };
    more.addEventListener('click', function () {
      if (!current) return;
      show(list, status, current, shown, 50).then(function (n) {
        var next = list.children[shown];
        shown = n;
        more.hidden = shown >= current.ids.length;
        if (next) next.querySelector('a').focus();
      }).catch(function (e) { failed(status, e); });
    });
    var timer = null;
    input.addEventListener('input', function () {
      clearTimeout(timer);
      timer = setTimeout(run, 200);
    });
    input.addEventListener('keydown', function (e) {
      if (e.key === 'Enter') {
        clearTimeout(timer);
        run();
      }
    });
    var q = new URLSearchParams(location.search).get('q');
    if (q) {
      input.value = q;
      run();
    }
    input.focus();
  }

  setupTheme();
  setupTargets();
  setupTreeTools();
  setupScrollers();
  setupPrint();
  setupQuickSearch();
  setupSearchPage();
})();
