// Keep the reader's place when switching language: the French heading ids
// are the same in every language, so the current #anchor is carried over.
// Without JavaScript the links still lead to the same page.
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("a[data-keep-anchor]");
  if (link && window.location.hash) {
    link.hash = window.location.hash;
  }
});
