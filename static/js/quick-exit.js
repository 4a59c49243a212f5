// The quick exit of /hulp/: without this file it is a plain link; with it, the link and the Escape
// key replace this page in the history, so the Back button does not lead back here.
(function () {
  "use strict";
  var links = document.querySelectorAll("a[data-quick-exit]");
  if (!links.length) {
    return;
  }
  var target = links[0].href;
  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.hidden = true;
    window.location.replace(target);
  }
  links.forEach(function (link) {
    link.addEventListener("click", leave);
  });
  document.querySelectorAll(".quick-exit-key").forEach(function (hint) {
    hint.hidden = false;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      leave(event);
    }
  });
})();
