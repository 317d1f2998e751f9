/* backstride: draw every plot described by a <script type="application/json" data-plot-for="ID"> block
   with the locally served plotly.js. No inline scripts, no network. */
(function () {
  var NARROW = 600; /* px: a phone's plot; its toolbar is left out (it covered the title) */
  var measure = document.createElement("canvas").getContext("2d");

  /* The title broken into lines that fit beside the toolbar (or the whole width without one), and the top
     margin made room for them, so a long title is never cut off nor covered. */
  function fitTitle(layout, width, toolbar) {
    var title = layout.title;
    if (typeof title === "string") { title = layout.title = { text: title }; }
    if (!title || typeof title.text !== "string" || !title.text) { return; }
    var font = layout.font || {};
    var size = (title.font && title.font.size) || Math.round((font.size || 12) * 1.4); /* plotly's own default */
    measure.font = size + "px " + (font.family || "sans-serif");
    var room = Math.max(120, width - (toolbar ? 300 : 0) - 24);
    var lines = [];
    var line = "";
    title.text.replace(/<br>/g, " ").split(/\s+/).forEach(function (word) {
      var longer = line ? line + " " + word : word;
      if (line && measure.measureText(longer).width > room) { lines.push(line); line = word; }
      else { line = longer; }
    });
    lines.push(line);
    title.text = lines.join("<br>");
    /* just above the plot, its lines growing upwards into the top margin */
    title.x = 0; title.xanchor = "left"; title.xref = "container";
    title.y = 1; title.yanchor = "bottom"; title.yref = "paper"; title.pad = { l: 8, b: 10 };
    var margin = layout.margin || (layout.margin = {});
    var needed = Math.ceil(lines.length * size * 1.3 + 20 + (toolbar ? 0 : 6));
    if ((margin.t || 0) < needed) {
      if (layout.height) { layout.height += needed - (margin.t || 0); }
      margin.t = needed;
    }
  }

  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("script[data-plot-for]").forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-plot-for"));
      if (!target || target.getAttribute("data-drawn")) { return; }
      var fig = JSON.parse(block.textContent);
      var layout = fig.layout || {};
      var width = target.clientWidth || 600;
      var narrow = width < NARROW;
      fitTitle(layout, width, !narrow);
      if (narrow && layout.xaxis && layout.xaxis.dtick) { /* a tick a day does not fit a phone */
        delete layout.xaxis.dtick;
        layout.xaxis.nticks = 5;
      }
      Plotly.newPlot(target, fig.data, layout, { displaylogo: false, responsive: true, displayModeBar: !narrow });
      target.setAttribute("data-drawn", "1");
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  document.addEventListener("htmx:afterSwap", function (e) {
    draw(e.target);
    /* an upload refused for want of what only the person can say of the file (a unit, a column, a rate):
       open the form's section that takes it, which the message names */
    var options = document.querySelector("details.read-options[data-section]");
    if (options && e.target.id === "upload-result" &&
        e.target.textContent.indexOf(options.getAttribute("data-section")) >= 0) {
      options.open = true;
    }
  });
  /* Upload progress: htmx fires htmx:xhr:progress while the file is sent. */
  document.addEventListener("htmx:xhr:progress", function (e) {
    var bar = document.getElementById("upload-progress");
    if (bar && e.detail.lengthComputable) {
      bar.max = e.detail.total; bar.value = e.detail.loaded;
      var label = document.getElementById("upload-progress-text");
      if (label) { label.textContent = Math.round(100 * e.detail.loaded / e.detail.total) + "% sent"; }
    }
  });
})();
