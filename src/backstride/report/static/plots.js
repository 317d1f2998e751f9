/* backstride's plots: every figure given as JSON in a script element of type application/json, drawn with
   plotly.js into the element its data-plot-for attribute names. One script for the app's pages (served as
   /static/plots.js) and the self-contained reports (written inside them), so a plot reads the same in both.
   No network.

   Fitted to the width the plot gets, a phone's 375 px too, and fitted again when that width changes:
   - the title is broken into lines at spaces (never cut), set at the top, and the plot made taller by the
     lines it gained; a word wider than the plot on its own is set in a smaller font;
   - an axis title wider (x) or longer (y) than its room is broken into lines (x) or gets a taller plot (y);
   - a legend in a row under the plot that takes more than one row is put below the x axis's title, the
     plot made taller for it (plotly grows such a legend upwards, over the axis and its title);
   - on a narrow plot the toolbar is left out (it covered the title); a tick at every day or bout that would
     crowd the axis gives way to a few. */
(function () {
  "use strict";
  var NARROW = 600; /* px: a phone's plot */
  var LINE = 1.3; /* plotly's line height, in font sizes */
  var CAP = 0.7; /* plotly's shift of a top-anchored line's baseline below its anchor, in font sizes */
  var SMALLEST = 11; /* px: the least size a title is set in */
  var TOOLBAR = 300; /* px at the top right that the toolbar takes, where it is shown */
  var measure = document.createElement("canvas").getContext("2d");
  var drawn = []; /* [{target, source, width}] */

  function widthOf(text, size, family) {
    measure.font = size + "px " + family;
    return measure.measureText(text).width;
  }

  /* ``text`` broken into lines at most ``room`` px wide, and the size it is set in: ``size``, or smaller
     (down to SMALLEST) when a word alone is wider than ``room`` */
  function wrap(text, size, family, room) {
    var words = text.replace(/<br\s*\/?>/gi, " ").split(/\s+/).filter(Boolean);
    var widest = Math.max.apply(null, words.map(function (w) { return widthOf(w, size, family); }).concat(0));
    if (widest > room) { size = Math.max(SMALLEST, Math.floor(size * room / widest)); }
    var lines = [];
    var line = "";
    words.forEach(function (word) {
      var longer = line ? line + " " + word : word;
      if (line && widthOf(longer, size, family) > room) { lines.push(line); line = word; }
      else { line = longer; }
    });
    lines.push(line);
    return { text: lines.join("<br>"), lines: lines.length, size: size };
  }

  function titleOf(holder) {
    var title = holder.title;
    if (typeof title === "string") { title = holder.title = { text: title }; }
    return title && typeof title.text === "string" && title.text.trim() ? title : null;
  }

  /* the figure ``px`` taller, its plotting area unchanged: the px go to the margin ``side`` ("t" or "b") */
  function grow(layout, side, px) {
    if (px <= 0) { return; }
    px = Math.ceil(px);
    layout.margin[side] = (layout.margin[side] || 0) + px;
    layout.height = (layout.height || 450) + px;
  }

  function fitTitle(layout, width, toolbar) {
    var title = titleOf(layout);
    if (!title) { return; }
    var font = layout.font || {};
    var family = (title.font && title.font.family) || font.family || "sans-serif";
    var size = (title.font && title.font.size) || Math.round((font.size || 12) * 1.4); /* plotly's default */
    var fit = wrap(title.text, size, family, Math.max(120, width - (toolbar ? TOOLBAR : 0) - 24));
    title.text = fit.text;
    title.font = Object.assign({}, title.font, { size: fit.size });
    /* at the top of the figure, its lines going down: each line added makes the top margin a line taller */
    title.x = 0; title.xanchor = "left"; title.xref = "container";
    title.y = 1; title.yanchor = "top"; title.yref = "container";
    /* plotly sets one line's first baseline CAP em below the anchor, but the first of several lines on the
       anchor itself: the pad puts both where one line goes */
    title.pad = { t: 12 + (fit.lines > 1 ? Math.round(CAP * fit.size) : 0), l: 8, r: 0, b: 0 };
    grow(layout, "t", (fit.lines - 1) * fit.size * LINE);
  }

  function fitAxisTitles(layout, width) {
    var font = layout.font || {};
    var margin = layout.margin;
    var x = layout.xaxis && titleOf(layout.xaxis);
    if (x) {
      var xFamily = (x.font && x.font.family) || font.family || "sans-serif";
      var xSize = (x.font && x.font.size) || Math.round((font.size || 12) * 1.2); /* plotly's default */
      /* centred under the plotting area, it may reach into the margins but not past the figure */
      var fit = wrap(x.text, xSize, xFamily, Math.max(80, width - Math.abs((margin.l || 0) - (margin.r || 0)) - 8));
      x.text = fit.text;
      x.font = Object.assign({}, x.font, { size: fit.size });
      grow(layout, "b", (fit.lines - 1) * fit.size * LINE);
    }
    /* a y axis's title runs along the plotting area: a longer one gets a taller area */
    var area = (layout.height || 450) - (margin.t || 0) - (margin.b || 0);
    var longest = 0;
    ["yaxis", "yaxis2"].forEach(function (name) {
      var y = layout[name] && titleOf(layout[name]);
      if (y) {
        var size = (y.font && y.font.size) || Math.round((font.size || 12) * 1.2);
        var family = (y.font && y.font.family) || font.family || "sans-serif";
        longest = Math.max(longest, widthOf(y.text.replace(/<br\s*\/?>/gi, " "), size, family));
      }
    });
    if (longest + 16 > area) {
      layout.height = (layout.height || 450) + Math.ceil(longest + 16 - area);
    }
  }

  /* Whether a tick at every step the x axis asks for (a day, a bout) leaves room between the labels: a tick a
     day does not fit a phone, the seven bouts of a walk do. */
  function ticksFit(layout, data, width) {
    var axis = layout.xaxis;
    var room = width - (layout.margin.l || 0) - (layout.margin.r || 0);
    if (axis.type === "date") { return width >= NARROW; }
    var seen = {};
    data.forEach(function (trace) { (trace.x || []).forEach(function (x) { if (x !== null) { seen[x] = true; } }); });
    var labels = Object.keys(seen);
    var font = layout.font || {};
    var widest = Math.max.apply(null, labels.map(function (x) {
      return widthOf(x, font.size || 12, font.family || "sans-serif");
    }).concat(0));
    return labels.length * (widest + 12) <= room;
  }

  function fitted(source, width) {
    var fig = JSON.parse(source);
    var layout = fig.layout || (fig.layout = {});
    var narrow = width < NARROW;
    layout.margin = Object.assign({}, layout.margin);
    fitTitle(layout, width, !narrow);
    fitAxisTitles(layout, width);
    if (layout.xaxis && layout.xaxis.dtick && !ticksFit(layout, fig.data, width)) {
      delete layout.xaxis.dtick;
      layout.xaxis.nticks = 5;
    }
    /* showSendToCloud: false: plotly's toolbar has a "Share chart..." button by default, which sends the
       plotted figures (a patient's) to plotly's cloud service; a report is read offline, the app sends
       nothing out */
    return {
      data: fig.data,
      layout: layout,
      config: { displaylogo: false, responsive: true, displayModeBar: !narrow, showSendToCloud: false }
    };
  }

  /* A legend in rows under the plot drawn over the x axis's labels or title (plotly grows a legend anchored
     there upwards), or wider than the figure: the layout that hangs it below them, in a smaller font if it
     is too wide, the figure taller for it; or null when it fits. */
  function legendBelow(target, layout) {
    var legend = target.querySelector(".legend");
    var area = target.querySelector(".nsewdrag"); /* the plotting area */
    if (!legend || !area || !layout.showlegend || !layout.legend || layout.legend.orientation !== "h") {
      return null;
    }
    var box = legend.getBoundingClientRect();
    var figure = target.getBoundingClientRect();
    var bottom = area.getBoundingClientRect().bottom;
    if (!box.height) { return null; } /* not laid out (hidden) */
    var under = 0; /* how far the x axis's tick labels and title reach below the plotting area */
    target.querySelectorAll(".xaxislayer-above, .g-xtitle").forEach(function (part) {
      var r = part.getBoundingClientRect();
      if (r.height) { under = Math.max(under, r.bottom - bottom); }
    });
    var gap = 8;
    var over = box.top - bottom < under + gap / 2;
    var wide = box.left < figure.left || box.right > figure.right;
    if (!over && !wide) { return null; }
    var update = { yanchor: "top" };
    var rows = box.height;
    if (wide) { /* plotly cuts an entry wider than the figure: a smaller font, every word kept */
      var size = (layout.legend.font && layout.legend.font.size) || (layout.font && layout.font.size) || 12;
      var smaller = Math.max(SMALLEST - 2, Math.floor(size * (figure.width - gap) / box.width));
      update.font = Object.assign({}, layout.legend.font, { size: smaller });
      rows = rows * smaller / size;
    }
    var margin = layout.margin;
    var height = layout.height || 450;
    var plotHeight = height - (margin.t || 0) - (margin.b || 0);
    var extra = Math.max(0, Math.ceil((margin.t || 0) + plotHeight + under + gap + rows + gap - height));
    margin.b = (margin.b || 0) + extra;
    layout.height = height + extra;
    update.y = -(under + gap) / plotHeight;
    layout.legend = Object.assign({}, layout.legend, update);
    return layout;
  }

  /* The toolbar's buttons (zoom, pan, select: a mouse's tools) out of the keyboard's way: nine tab stops a
     plot stood between a keyboard user and the page's next control. The drawing itself is hidden from screen
     readers (its tick labels read as a jumble of numbers): the plot is a figure named by its title, and its
     figures follow it as a table. Plotly builds the toolbar again on a redraw, hence after each one. */
  function keyboardQuiet(target) {
    target.querySelectorAll(".modebar-btn").forEach(function (button) { button.setAttribute("tabindex", "-1"); });
    target.querySelectorAll("svg.main-svg").forEach(function (svg) { svg.setAttribute("aria-hidden", "true"); });
  }

  /* The figure drawn whole, the first time and when fitted again alike. */
  function plot(target, fig) {
    return Plotly.newPlot(target, fig.data, fig.layout, fig.config).then(function (drawnPlot) {
      keyboardQuiet(target);
      drawnPlot.on("plotly_afterplot", function () { keyboardQuiet(target); });
      return drawnPlot;
    });
  }

  function render(entry) {
    var width = entry.target.clientWidth || 600;
    var fig = fitted(entry.source, width);
    entry.width = width;
    return plot(entry.target, fig).then(function () {
      if (legendBelow(entry.target, fig.layout)) { return plot(entry.target, fig); }
    });
  }

  /* The plot saved as a picture, for a keyboard and a phone: the toolbar's camera is the mouse's (out of the
     tab order, see keyboardQuiet) and a phone shows no toolbar. A button of the page's own, after the plot,
     named by the plot's title; the file is named after it too. */
  function saveButton(target, source) {
    var title = null;
    try { title = titleOf(JSON.parse(source).layout); } catch (e) { title = null; }
    title = title ? title.text.replace(/<br\s*\/?>/gi, " ").replace(/<[^>]*>/g, "").trim() : "plot";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "plot-save";
    button.textContent = "Save as a picture (PNG)";
    button.setAttribute("aria-label", "Save as a picture (PNG): " + title);
    var name = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "") || "plot";
    button.addEventListener("click", function () {
      Plotly.downloadImage(target, { format: "png", filename: name });
    });
    target.insertAdjacentElement("afterend", button);
  }

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("script[data-plot-for]").forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-plot-for"));
      if (!target || target.getAttribute("data-drawn")) { return; }
      target.setAttribute("data-drawn", "1");
      var entry = { target: target, source: block.textContent, width: 0 };
      drawn.push(entry);
      render(entry).then(function () { saveButton(target, entry.source); });
    });
  }

  /* a phone turned, a window made narrower or wider: the titles fitted again to the new width */
  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(function () {
      drawn = drawn.filter(function (entry) { return entry.target.isConnected; });
      drawn.forEach(function (entry) {
        var width = entry.target.clientWidth;
        if (width && Math.abs(width - entry.width) > 2) { render(entry); }
      });
    }, 150);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { draw(document); });
  } else {
    draw(document);
  }
  document.addEventListener("htmx:afterSwap", function (e) { draw(e.target); });
})();
