// Buttons marked data-print open the browser's Print dialog. A file, not onclick="": the
// Content-Security-Policy runs no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
