// The client chart's tabs (templates/clients/detail.html). Each tab is a link to a
// page of its own; htmx, when loaded, swaps only the tab bar and the panel. After a
// swap the keyboard focus would be lost with the old links: put it back on the
// link of the tab now shown, so that Tab and Shift+Tab go on from there.
document.addEventListener("htmx:afterSwap", function (event) {
  var target = event.detail && event.detail.target;
  if (!target || target.id !== "client-tabs") {
    return;
  }
  var current = document.querySelector('#client-tabs nav [aria-current="page"]');
  if (current) {
    current.focus();
  }
});
