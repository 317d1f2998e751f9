/* backstride: draw every plot described by a <script type="application/json" data-plot-for="ID"> block
   with the locally served plotly.js. No inline scripts, no network. */
(function () {
  function draw(root) {
    if (typeof Plotly === "undefined") { return; }
    root.querySelectorAll("script[data-plot-for]").forEach(function (block) {
      var target = document.getElementById(block.getAttribute("data-plot-for"));
      if (!target || target.getAttribute("data-drawn")) { return; }
      var fig = JSON.parse(block.textContent);
      Plotly.newPlot(target, fig.data, fig.layout, { displaylogo: false, responsive: true });
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
