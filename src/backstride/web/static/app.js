/* backstride: the app's own behaviour on its pages. No inline scripts, no network. (The plots are drawn by
   /static/plots.js, the script the self-contained reports carry too.) */
(function () {
  document.addEventListener("htmx:afterSwap", function (e) {
    /* an upload refused for want of what only the person can say of the file (a unit, a column, a rate):
       open the form's section that takes it, which the message names */
    var options = document.querySelector("details.read-options[data-section]");
    if (options && e.target.id === "upload-result" &&
        e.target.textContent.indexOf(options.getAttribute("data-section")) >= 0) {
      options.open = true;
    }
  });
  /* The upload's button is disabled while the file is sent (hx-disabled-elt), and a disabled button loses the
     focus to the page's body: a keyboard or screen reader user is then put back at the page's top. The
     answer that came back (a refusal and its reason, or the analysis's progress) takes the focus instead. */
  document.addEventListener("htmx:afterSettle", function (e) {
    var result = e.target;
    if (result && result.id === "upload-result" &&
        (!document.activeElement || document.activeElement === document.body)) {
      result.focus();
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
