// Reading preferences (大字体, 高对比度) kept in localStorage so they persist across pages
// without a server. Loaded in <head> so the page never flashes in the wrong size.
(function () {
  var root = document.documentElement;
  var classes = { font: "large", contrast: "contrast" };
  function get(name) { try { return localStorage.getItem("disclose-" + name) === "1"; } catch (e) { return false; } }
  function set(name, on) { try { localStorage.setItem("disclose-" + name, on ? "1" : "0"); } catch (e) { /* private mode */ } }
  Object.keys(classes).forEach(function (name) { if (get(name)) root.classList.add(classes[name]); });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-pref]").forEach(function (button) {
      var name = button.getAttribute("data-pref");
      button.setAttribute("aria-pressed", String(get(name)));
      button.addEventListener("click", function () {
        var on = !root.classList.contains(classes[name]);
        root.classList.toggle(classes[name], on);
        button.setAttribute("aria-pressed", String(on));
        set(name, on);
      });
    });
  });
})();
