// The search page: Pagefind's interface over this language's index
// (Pagefind keeps one index per <html lang>, so results stay in the page's language).
window.addEventListener("DOMContentLoaded", function () {
  var container = document.getElementById("search");
  if (!container || typeof PagefindUI === "undefined") { return; }
  new PagefindUI({
    element: "#search",
    bundlePath: container.getAttribute("data-bundle"),
    showSubResults: true,
    showImages: false,
    resetStyles: false
  });
  var input = container.querySelector("input");
  if (input) { input.setAttribute("aria-labelledby", "search-label"); }  // named by the visible text above it
  var query = new URLSearchParams(window.location.search).get("q");
  if (input && query) {
    input.value = query;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  }
});
